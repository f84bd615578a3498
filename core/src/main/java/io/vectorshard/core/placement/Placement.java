package io.vectorshard.core.placement;

import io.vectorshard.api.PlacementSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Which shard holds each bucket of each tenant: a pure, deterministic function of this record.
 *
 * <p>Defined by growing the cluster one shard at a time, so that contract 3 holds by construction.
 * A tenant's candidates are all shards (or its pinned shards, in ascending order). With one
 * candidate every bucket is on it. Adding candidate {@code k} (making {@code m = k + 1}) moves
 * buckets only onto {@code k}: it takes {@code q = b / m} buckets, plus one more when
 * {@code hash("tenant/k") mod m < b mod m}; each comes from a candidate holding the most buckets
 * (ties: highest {@link StableHash#score}), choosing that candidate's bucket with the highest score.
 * So the counts per shard never differ by more than one, a spread tenant's buckets land on distinct
 * shards while buckets <= candidates, N -> N+1 moves about 1/(N+1) of the buckets and all of them
 * to the new shard, and removing the last shard moves only the buckets it held. docs/placement.md
 * has the algorithm in pseudo code and PlacementGoldenTest pins it.
 *
 * @param shards number of shards, ordinals {@code 0..shards-1}
 * @param defaultBuckets buckets of a tenant not listed in {@code spread}
 * @param pinned tenant to the shard ordinals it may live on
 * @param spread tenant to its bucket count
 */
public record Placement(int shards, int defaultBuckets, Map<String, List<Integer>> pinned,
    Map<String, Integer> spread) {

  public Placement {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be >= 1, got " + shards);
    }
    if (defaultBuckets < 1) {
      throw new IllegalArgumentException("defaultBuckets must be >= 1, got " + defaultBuckets);
    }
    pinned = Map.copyOf(pinned == null ? Map.of() : pinned);
    spread = Map.copyOf(spread == null ? Map.of() : spread);
    pinned.forEach((tenant, ordinals) -> {
      if (ordinals.isEmpty() || ordinals.stream().anyMatch(o -> o < 0 || o >= shards)) {
        throw new IllegalArgumentException("tenant " + tenant + " is pinned to " + ordinals
            + " but shard ordinals are 0.." + (shards - 1));
      }
    });
    spread.forEach((tenant, buckets) -> {
      if (buckets < 1) {
        throw new IllegalArgumentException("tenant " + tenant + " spread over " + buckets + " buckets");
      }
    });
  }

  public static Placement uniform(int shards) {
    return new Placement(shards, 1, Map.of(), Map.of());
  }

  public static Placement of(int shards, PlacementSpec spec) {
    Map<String, List<Integer>> pinned = spec.getPinned().stream().collect(Collectors.toMap(
        PlacementSpec.PinnedTenant::getTenant, p -> List.copyOf(p.getShards()), (a, b) -> a, TreeMap::new));
    Map<String, Integer> spread = spec.getSpread().stream().collect(Collectors.toMap(
        PlacementSpec.SpreadTenant::getTenant, PlacementSpec.SpreadTenant::getBuckets, (a, b) -> a, TreeMap::new));
    return new Placement(shards, spec.getDefaultBuckets(), pinned, spread);
  }

  public Placement withShards(int newShards) {
    return new Placement(newShards, defaultBuckets, pinned, spread);
  }

  public int bucketsOf(String tenant) {
    return spread.getOrDefault(tenant, defaultBuckets);
  }

  /** The bucket an element belongs to: {@code hash(id) mod buckets}, unsigned. */
  public int bucketOf(String tenant, String vectorId) {
    int buckets = bucketsOf(tenant);
    return buckets == 1 ? 0 : (int) Long.remainderUnsigned(StableHash.hash(vectorId), buckets);
  }

  public int shardOf(String tenant, int bucket) {
    return shardsOf(tenant)[bucket];
  }

  /** The shard ordinal of every bucket of the tenant, indexed by bucket. */
  public int[] shardsOf(String tenant) {
    int[] candidates = candidates(tenant);
    int buckets = bucketsOf(tenant);
    int[] position = new int[buckets]; // index into candidates; all start on the first
    int[] load = new int[candidates.length];
    load[0] = buckets;
    for (int k = 1; k < candidates.length; k++) {
      int m = k + 1;
      long stepHash = StableHash.hash(tenant + "/" + k);
      int take = buckets / m + (Long.remainderUnsigned(stepHash, m) < buckets % m ? 1 : 0);
      for (int taken = 0; taken < take; taken++) {
        int donor = mostLoaded(load, k, stepHash, candidates);
        int bucket = bestBucketOn(position, donor, StableHash.mix(stepHash));
        position[bucket] = k;
        load[donor]--;
        load[k]++;
      }
    }
    int[] result = new int[buckets];
    for (int b = 0; b < buckets; b++) {
      result[b] = candidates[position[b]];
    }
    return result;
  }

  /** Among the first {@code k} candidates, the one holding the most buckets; ties by score. */
  private static int mostLoaded(int[] load, int k, long stepHash, int[] candidates) {
    int best = 0;
    for (int i = 1; i < k; i++) {
      if (load[i] > load[best] || (load[i] == load[best]
          && Long.compareUnsigned(StableHash.score(stepHash, candidates[i]), StableHash.score(stepHash, candidates[best])) > 0)) {
        best = i;
      }
    }
    return best;
  }

  /** The bucket on candidate {@code donor} with the highest score. */
  private static int bestBucketOn(int[] position, int donor, long bucketHash) {
    int best = -1;
    for (int b = 0; b < position.length; b++) {
      if (position[b] == donor && (best < 0
          || Long.compareUnsigned(StableHash.score(bucketHash, b), StableHash.score(bucketHash, best)) > 0)) {
        best = b;
      }
    }
    return best;
  }

  private int[] candidates(String tenant) {
    List<Integer> pins = pinned.get(tenant);
    if (pins != null) {
      // Distinct and ascending; a loop, not a stream: this runs on every request for a pinned tenant.
      int[] sorted = new int[pins.size()];
      for (int i = 0; i < sorted.length; i++) {
        sorted[i] = pins.get(i);
      }
      Arrays.sort(sorted);
      int distinct = 0;
      for (int i = 0; i < sorted.length; i++) {
        if (i == 0 || sorted[i] != sorted[i - 1]) {
          sorted[distinct++] = sorted[i];
        }
      }
      return distinct == sorted.length ? sorted : Arrays.copyOf(sorted, distinct);
    }
    int[] all = new int[shards];
    for (int i = 0; i < shards; i++) {
      all[i] = i;
    }
    return all;
  }
}
