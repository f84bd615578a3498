package io.vectorshard.core.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The properties contract 3 asks of placement, measured over many tenants. */
class PlacementPropertiesTest {
  static final int TENANTS = 100_000;

  static String tenant(int i) {
    return "tenant-" + i;
  }

  /** (a) N -> N+1: about 1/(N+1) of one-bucket tenants move (within 10 %), all onto the new shard. */
  @ParameterizedTest(name = "{0} -> {0}+1 shards")
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void addingAShardMovesAboutOneOverNPlusOneOfTenantsAllToTheNewShard(int n) {
    Placement before = Placement.uniform(n);
    Placement after = Placement.uniform(n + 1);
    int moved = 0;
    for (int i = 0; i < TENANTS; i++) {
      int from = before.shardOf(tenant(i), 0);
      int to = after.shardOf(tenant(i), 0);
      if (from != to) {
        moved++;
        assertThat(to).as("new shard of moved %s", tenant(i)).isEqualTo(n);
      }
    }
    double fraction = moved / (double) TENANTS;
    double ideal = 1.0 / (n + 1);
    System.out.printf("one bucket, %d -> %d shards: moved %.5f of tenants, ideal %.5f (relative error %.4f)%n",
        n, n + 1, fraction, ideal, Math.abs(fraction - ideal) / ideal);
    assertThat(Math.abs(fraction - ideal)).isLessThanOrEqualTo(0.1 / (n + 1));
  }

  /** (b) N+1 -> N: only the tenants that were on the removed (last) shard move. */
  @ParameterizedTest(name = "{0}+1 -> {0} shards")
  @ValueSource(ints = {1, 2, 3, 4, 7, 8})
  void removingTheLastShardMovesOnlyItsTenants(int n) {
    Placement before = Placement.uniform(n + 1);
    Placement after = Placement.uniform(n);
    int onRemoved = 0;
    for (int i = 0; i < TENANTS; i++) {
      int from = before.shardOf(tenant(i), 0);
      int to = after.shardOf(tenant(i), 0);
      if (from == n) {
        onRemoved++;
        assertThat(to).isBetween(0, n - 1);
      } else {
        assertThat(to).as("%s was on surviving shard %d", tenant(i), from).isEqualTo(from);
      }
    }
    assertThat(onRemoved).isPositive();
  }

  /** Default tenants spread over all shards about evenly (the premise of the movement figures). */
  @Test
  void oneBucketTenantsSpreadEvenlyOverShards() {
    Placement placement = Placement.uniform(7);
    int[] counts = new int[7];
    for (int i = 0; i < TENANTS; i++) {
      counts[placement.shardOf(tenant(i), 0)]++;
    }
    int min = Arrays.stream(counts).min().orElseThrow();
    int max = Arrays.stream(counts).max().orElseThrow();
    assertThat((double) max / min).as("per-shard counts %s", Arrays.toString(counts)).isLessThan(1.05);
  }

  /** (c) buckets <= shards: a spread tenant's buckets land on distinct shards. */
  @Test
  void spreadTenantBucketsLandOnDistinctShardsWhileTheyFit() {
    for (int shards = 1; shards <= 16; shards++) {
      for (int buckets = 1; buckets <= shards; buckets++) {
        Map<String, Integer> spread = new HashMap<>();
        for (int i = 0; i < 200; i++) {
          spread.put(tenant(i), buckets);
        }
        Placement placement = new Placement(shards, 1, Map.of(), spread);
        for (int i = 0; i < 200; i++) {
          int[] owners = placement.shardsOf(tenant(i));
          assertThat(owners).hasSize(buckets);
          assertThat(Arrays.stream(owners).distinct().count())
              .as("%d buckets of %s on %d shards: %s", buckets, tenant(i), shards, Arrays.toString(owners))
              .isEqualTo(buckets);
          assertThat(Arrays.stream(owners).max().orElseThrow()).isLessThan(shards);
          assertThat(Arrays.stream(owners).min().orElseThrow()).isNotNegative();
        }
      }
    }
  }

  /** (c) buckets > shards: every shard is used and per-shard bucket counts differ by at most 1. */
  @Test
  void spreadTenantWithMoreBucketsThanShardsUsesEveryShardEvenly() {
    for (int shards = 1; shards <= 16; shards++) {
      for (int buckets = shards + 1; buckets <= 3 * shards + 2; buckets++) {
        Map<String, Integer> spread = new HashMap<>();
        for (int i = 0; i < 50; i++) {
          spread.put(tenant(i), buckets);
        }
        Placement placement = new Placement(shards, 1, Map.of(), spread);
        for (int i = 0; i < 50; i++) {
          int[] counts = new int[shards];
          for (int owner : placement.shardsOf(tenant(i))) {
            counts[owner]++;
          }
          int min = Arrays.stream(counts).min().orElseThrow();
          int max = Arrays.stream(counts).max().orElseThrow();
          assertThat(min).as("%d buckets on %d shards: %s", buckets, shards, Arrays.toString(counts)).isPositive();
          assertThat(max - min).as("%d buckets on %d shards: %s", buckets, shards, Arrays.toString(counts))
              .isLessThanOrEqualTo(1);
        }
      }
    }
  }

  /** (d) Pinned tenants only land on their pinned shards, spread or not, and use all pins they can. */
  @Test
  void pinnedTenantsOnlyLandOnTheirPins() {
    List<List<Integer>> pinSets = List.of(List.of(3), List.of(0, 5), List.of(1, 4, 7), List.of(7, 2, 6, 0));
    for (List<Integer> pins : pinSets) {
      for (int buckets = 1; buckets <= 6; buckets++) {
        Map<String, List<Integer>> pinned = new HashMap<>();
        Map<String, Integer> spread = new HashMap<>();
        for (int i = 0; i < 500; i++) {
          pinned.put(tenant(i), pins);
          spread.put(tenant(i), buckets);
        }
        Placement placement = new Placement(8, 1, pinned, spread);
        for (int i = 0; i < 500; i++) {
          int[] owners = placement.shardsOf(tenant(i));
          assertThat(owners).hasSize(buckets);
          assertThat(Arrays.stream(owners).boxed().toList()).as("pins %s", pins).allMatch(pins::contains);
          assertThat(Arrays.stream(owners).distinct().count()).isEqualTo(Math.min(buckets, pins.size()));
        }
        // A tenant not pinned is unaffected by other tenants' pins.
        assertThat(placement.shardOf("unpinned", 0)).isEqualTo(Placement.uniform(8).shardOf("unpinned", 0));
      }
    }
  }

  @Test
  void pinnedTenantDoesNotMoveWhenShardsAreAdded() {
    Placement before = new Placement(4, 1, Map.of("acme", List.of(1, 2)), Map.of("acme", 2));
    for (int shards = 5; shards <= 12; shards++) {
      assertThat(before.withShards(shards).shardsOf("acme")).containsExactly(before.shardsOf("acme"));
    }
  }

  /** (e) bucketOf is in range and spreads ids evenly over the buckets. */
  @Test
  void bucketOfIsInRangeAndEven() {
    int buckets = 8;
    int ids = 100_000;
    Placement placement = new Placement(3, 1, Map.of(), Map.of("acme", buckets));
    int[] counts = new int[buckets];
    for (int i = 0; i < ids; i++) {
      int bucket = placement.bucketOf("acme", "doc-" + i);
      assertThat(bucket).isBetween(0, buckets - 1);
      counts[bucket]++;
    }
    double expected = ids / (double) buckets;
    double chiSquare = Arrays.stream(counts).mapToDouble(c -> (c - expected) * (c - expected) / expected).sum();
    int min = Arrays.stream(counts).min().orElseThrow();
    int max = Arrays.stream(counts).max().orElseThrow();
    System.out.printf("bucketOf over %d ids, %d buckets: counts %s, chi-square %.2f%n", ids, buckets,
        Arrays.toString(counts), chiSquare);
    // 24.32 is the 0.999 quantile of chi-square with 7 degrees of freedom.
    assertThat(chiSquare).as("counts %s", Arrays.toString(counts)).isLessThan(24.32);
    assertThat((double) max / min).isLessThan(1.05);
  }

  @Test
  void bucketOfIsInRangeForOddBucketCountsAndOneBucketTenants() {
    Placement placement = new Placement(2, 1, Map.of(), Map.of("seven", 7, "huge", 1024));
    Set<Integer> seenSeven = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = "id-" + i;
      int seven = placement.bucketOf("seven", id);
      assertThat(seven).isBetween(0, 6);
      seenSeven.add(seven);
      assertThat(placement.bucketOf("huge", id)).isBetween(0, 1023);
      assertThat(placement.bucketOf("default", id)).isZero();
    }
    assertThat(seenSeven).hasSize(7);
  }

  /** (f) Construction rejects placements that cannot be routed by. */
  @Test
  void constructorRejectsImpossiblePlacements() {
    assertThatThrownBy(() -> Placement.uniform(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shards must be >= 1");
    assertThatThrownBy(() -> Placement.uniform(-3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Placement(3, 0, Map.of(), Map.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("defaultBuckets");
    assertThatThrownBy(() -> new Placement(3, 1, Map.of("acme", List.of(3)), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("acme").hasMessageContaining("0..2");
    assertThatThrownBy(() -> new Placement(3, 1, Map.of("acme", List.of(0, -1)), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("acme");
    assertThatThrownBy(() -> new Placement(3, 1, Map.of("acme", List.of()), Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("acme");
    assertThatThrownBy(() -> new Placement(3, 1, Map.of(), Map.of("acme", 0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("acme");
    assertThatThrownBy(() -> new Placement(3, 1, Map.of(), Map.of("acme", -2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("acme");
    // Shrinking below a pinned shard is refused, not silently re-routed.
    Placement pinnedToTwo = new Placement(3, 1, Map.of("acme", List.of(2)), Map.of());
    assertThatThrownBy(() -> pinnedToTwo.withShards(2)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void placementIsImmutable() {
    Map<String, Integer> spread = new HashMap<>(Map.of("acme", 3));
    Placement placement = new Placement(5, 1, Map.of(), spread);
    spread.put("acme", 1);
    assertThat(placement.bucketsOf("acme")).isEqualTo(3);
    assertThatThrownBy(() -> placement.spread().put("x", 2)).isInstanceOf(UnsupportedOperationException.class);
  }

  /**
   * (g) Spread tenants (2, 4 and 8 buckets) going N -> N+1 meet contract 3 like one-bucket tenants:
   * about 1/(N+1) of their buckets move (within 10 %), every one of them to the new shard; and
   * going back N+1 -> N moves only the buckets on the removed shard.
   */
  @ParameterizedTest
  @ValueSource(ints = {2, 4, 8})
  void spreadTenantsMoveOnlyToTheNewShardAndOnlyOffTheRemovedOne(int buckets) {
    int tenants = 20_000;
    Map<String, Integer> spread = new HashMap<>();
    IntStream.range(0, tenants).forEach(i -> spread.put(tenant(i), buckets));
    for (int n = 1; n <= 12; n++) {
      Placement before = new Placement(n, 1, Map.of(), spread);
      Placement after = before.withShards(n + 1);
      long moved = 0;
      for (int i = 0; i < tenants; i++) {
        int[] from = before.shardsOf(tenant(i));
        int[] to = after.shardsOf(tenant(i));
        for (int b = 0; b < buckets; b++) {
          if (from[b] != to[b]) {
            moved++;
            assertThat(to[b]).as("bucket %d of %s, %d -> %d shards", b, tenant(i), n, n + 1).isEqualTo(n);
          }
        }
      }
      double fraction = moved / ((double) tenants * buckets);
      double ideal = 1.0 / (n + 1);
      System.out.printf("spread, %d buckets, %d -> %d shards: moved %.4f of tenant-buckets, ideal %.4f, ratio %.3f%n",
          buckets, n, n + 1, fraction, ideal, fraction / ideal);
      assertThat(Math.abs(fraction - ideal)).as("%d -> %d shards", n, n + 1).isLessThanOrEqualTo(0.1 * ideal);
    }
  }
}
