package io.vectorshard.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vectorshard.api.PlacementSpec;
import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.core.redis.Keys.BucketKey;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.routing.Transition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TablePlannerTest {
  private static RoutingTable table(int shards, long epoch, int dimensions, PlacementSpec placement) {
    VectorShardClusterSpec spec = new VectorShardClusterSpec();
    spec.setShards(shards);
    spec.getVectors().setDimensions(dimensions);
    spec.setPlacement(placement);
    return RoutingTable.of("rag", epoch, spec,
        IntStream.range(0, shards).mapToObj(i -> ShardEndpoint.of(i, "shard-" + i, 6379)).toList());
  }

  private static RoutingTable table(int shards, long epoch) {
    return table(shards, epoch, 4, new PlacementSpec());
  }

  /** One vector for each of 200 tenants, on the shard the table puts it. */
  private static Inventory populated(RoutingTable table) {
    Map<Integer, Map<BucketKey, Long>> buckets = new java.util.HashMap<>();
    for (int t = 0; t < 200; t++) {
      String tenant = "tenant-" + t;
      buckets.computeIfAbsent(table.placement().shardOf(tenant, 0), k -> new java.util.HashMap<>())
          .put(new BucketKey(tenant, 0, 1), 1L);
    }
    return new Inventory(buckets);
  }

  @Test
  void firstTableIsPublishedAtEpochOne() {
    TableDecision d = TablePlanner.decide(table(3, 99), Optional.empty(), Inventory.empty());
    assertThat(d).isInstanceOfSatisfying(TableDecision.Publish.class, p -> assertThat(p.table().epoch()).isEqualTo(1));
  }

  @Test
  void sameTableKeepsItsEpoch() {
    TableDecision d = TablePlanner.decide(table(3, 1), Optional.of(table(3, 7)), populated(table(3, 7)));
    assertThat(d).isInstanceOfSatisfying(TableDecision.Unchanged.class, u -> assertThat(u.table().epoch()).isEqualTo(7));
  }

  @Test
  void scaleUpOfAnEmptyClusterIsPublishedAtTheNextEpoch() {
    TableDecision d = TablePlanner.decide(table(4, 1), Optional.of(table(3, 5)), Inventory.empty());
    assertThat(d).isInstanceOfSatisfying(TableDecision.Publish.class, p -> {
      assertThat(p.table().epoch()).isEqualTo(6);
      assertThat(p.why()).contains("shards 3 -> 4");
    });
  }

  @Test
  void scaleUpOfAPopulatedClusterIsARebalanceMovingOnlyToTheNewShard() {
    RoutingTable live = table(3, 5);
    TableDecision d = TablePlanner.decide(table(4, 1), Optional.of(live), populated(live));
    assertThat(d).isInstanceOfSatisfying(TableDecision.Rebalance.class, r -> {
      assertThat(r.resuming()).isFalse();
      assertThat(r.target().shards()).hasSize(4);
      assertThat(r.target().epoch()).isEqualTo(6);
      assertThat(r.moves()).isNotEmpty().allSatisfy(m -> assertThat(m.to()).isEqualTo(3));
      // Minimal movement: about a quarter of the 200 one-bucket tenants.
      assertThat(r.moves().size()).isBetween(25, 75);
    });
  }

  @Test
  void aRunningTransitionIsFinishedBeforeAnyNewSpecIsPlanned() {
    RoutingTable three = table(3, 5);
    RoutingTable four = table(4, 5);
    Transition toFour = new Transition(three.placement(), List.of());
    RoutingTable moving = four.withTransition(toFour, four.shards(), 6);
    Inventory data = populated(three);
    // The spec now says 2 shards: the 3 -> 4 transition on the shards is what is resumed.
    TableDecision d = TablePlanner.decide(table(2, 1), Optional.of(moving), data);
    assertThat(d).isInstanceOfSatisfying(TableDecision.Rebalance.class, r -> {
      assertThat(r.resuming()).isTrue();
      assertThat(r.target().transition()).isNull();
      assertThat(r.target().placement()).isEqualTo(four.placement());
      assertThat(r.target().shards()).hasSize(4);
      assertThat(r.moves()).isEqualTo(TablePlanner.moves(four.placement(), data));
    });
    // A scale-down's transition lists the leaving shards; its target does not.
    RoutingTable down = three.withTransition(new Transition(four.placement(), List.of()), four.shards(), 7);
    assertThat(TablePlanner.targetOf(down).shards()).hasSize(3);
  }

  @Test
  void thePlanIsDeterministic() {
    RoutingTable live = table(3, 5);
    Inventory data = populated(live);
    assertThat(TablePlanner.decide(table(4, 1), Optional.of(live), data))
        .isEqualTo(TablePlanner.decide(table(4, 1), Optional.of(live), data));
  }

  @Test
  void removingAnEmptyLastShardIsPublishedButOneWithDataIsDrainedFirst() {
    RoutingTable live = table(4, 2);
    Inventory data = populated(table(3, 2)); // everything lives on shards 0..2
    assertThat(TablePlanner.decide(table(3, 1), Optional.of(live), data)).isInstanceOf(TableDecision.Publish.class);

    Inventory onLast = new Inventory(Map.of(3, Map.of(new BucketKey("acme", 0, 1), 10L)));
    assertThat(TablePlanner.decide(table(3, 1), Optional.of(live), onLast))
        .isInstanceOfSatisfying(TableDecision.Rebalance.class, r -> assertThat(r.moves()).singleElement()
            .hasToString("tenant acme bucket 0 (10 vectors) shard-3 -> shard-" + live.placement().withShards(3).shardOf("acme", 0)));
  }

  @Test
  void changingTheSpreadOfAPopulatedTenantReBucketsItsKeys() {
    PlacementSpec spread = new PlacementSpec();
    spread.setSpread(List.of(new PlacementSpec.SpreadTenant("acme", 2)));
    RoutingTable live = table(3, 2, 4, spread);
    PlacementSpec fewer = new PlacementSpec();
    fewer.setSpread(List.of(new PlacementSpec.SpreadTenant("acme", 1)));
    Inventory twoBuckets = new Inventory(Map.of(live.placement().shardOf("acme", 1), Map.of(new BucketKey("acme", 1, 2), 3L)));
    assertThat(TablePlanner.decide(table(3, 1, 4, fewer), Optional.of(live), twoBuckets))
        .isInstanceOfSatisfying(TableDecision.Rebalance.class, r -> {
          assertThat(r.resuming()).isFalse();
          assertThat(r.moves()).singleElement().satisfies(m -> {
            assertThat(m.rebuckets()).isTrue();
            assertThat(m.key()).isEqualTo("vsc:t:{acme}:1of2");
          });
        });
  }

  @Test
  void spreadingAPopulatedOneBucketTenantReBucketsItAndAnEmptyOneIsPublished() {
    RoutingTable live = table(3, 2);
    PlacementSpec spread = new PlacementSpec();
    spread.setSpread(List.of(new PlacementSpec.SpreadTenant("acme", 2), new PlacementSpec.SpreadTenant("empty", 3)));
    Inventory one = new Inventory(Map.of(live.placement().shardOf("acme", 0), Map.of(new BucketKey("acme", 0, 1), 5L)));
    assertThat(TablePlanner.decide(table(3, 1, 4, spread), Optional.of(live), one))
        .isInstanceOfSatisfying(TableDecision.Rebalance.class, r -> assertThat(r.moves())
            // The empty tenant is fenced and switched within the transition too: a write may reach it meanwhile.
            .extracting(Move::tenant, Move::vectors, Move::rebuckets)
            .containsExactly(tuple("acme", 5L, true), tuple("empty", 0L, true)));
    // Without data anywhere the spread is just published.
    assertThat(TablePlanner.decide(table(3, 1, 4, spread), Optional.of(live), Inventory.empty()))
        .isInstanceOf(TableDecision.Publish.class);
  }

  @Test
  void aNewDefaultBucketCountIsRefusedWhileTenantsItCoversHoldVectors() {
    RoutingTable live = table(3, 2);
    PlacementSpec twoEach = new PlacementSpec();
    twoEach.setDefaultBuckets(2);
    assertThat(TablePlanner.decide(table(3, 1, 4, twoEach), Optional.of(live), populated(live)))
        .isInstanceOfSatisfying(TableDecision.Blocked.class, b -> {
          assertThat(b.reason()).isEqualTo(Reason.RebalanceRequired);
          assertThat(b.message()).contains("defaultBuckets", "spec.placement.spread");
          assertThat(b.moves()).isNotEmpty().allMatch(Move::rebuckets);
        });
    assertThat(TablePlanner.decide(table(3, 1, 4, twoEach), Optional.of(live), Inventory.empty()))
        .isInstanceOf(TableDecision.Publish.class);
  }

  @Test
  void dimensionsChangeOnlyOnAnEmptyCluster() {
    RoutingTable live = table(3, 4);
    assertThat(TablePlanner.decide(table(3, 1, 8, new PlacementSpec()), Optional.of(live), populated(live)))
        .isInstanceOfSatisfying(TableDecision.Blocked.class, b -> {
          assertThat(b.reason()).isEqualTo(Reason.VectorSettingsChanged);
          assertThat(b.message()).contains("200 vectors");
        });
    assertThat(TablePlanner.decide(table(3, 1, 8, new PlacementSpec()), Optional.of(live), Inventory.empty()))
        .isInstanceOfSatisfying(TableDecision.Publish.class, p -> assertThat(p.table().epoch()).isEqualTo(5));
  }
}
