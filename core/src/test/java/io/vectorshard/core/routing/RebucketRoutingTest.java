package io.vectorshard.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorshard.api.VectorsSpec;
import io.vectorshard.core.placement.Placement;
import io.vectorshard.core.redis.Keys;
import io.vectorshard.core.routing.RoutingTable.BucketLocation;
import io.vectorshard.core.routing.RoutingTable.Movement;
import io.vectorshard.core.routing.Transition.Phase;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * How routers route a tenant whose bucket count changes within a transition (1 -> 3 buckets
 * here): served from its old count's keys until its switch, written to both while its copy runs,
 * and from its new count's keys only after the switch.
 */
class RebucketRoutingTest {
  static final List<ShardEndpoint> SHARDS = IntStream.range(0, 4).mapToObj(i -> ShardEndpoint.of(i, "shard-" + i, 6379)).toList();
  static final Placement OLD = new Placement(4, 1, Map.of(), Map.of());
  static final Placement NEW = new Placement(4, 1, Map.of(), Map.of("acme", 3));

  static RoutingTable at(Phase phase) {
    Transition transition = new Transition(OLD, List.of());
    if (phase != null) {
      transition = transition.withRebucketPhase("acme", phase);
    }
    return new RoutingTable("rag", 5, new VectorSettings(8, VectorsSpec.Quantization.Q8, 16, 200), SHARDS, NEW, transition);
  }

  static final String OLD_KEY = Keys.bucket("acme", 0, 1);

  @Test
  void beforeItsCopyTheTenantIsServedAndWrittenOnlyUnderItsOldCount() {
    RoutingTable table = at(null);
    BucketLocation where = table.locate("acme", "doc-1");
    assertThat(where.movement()).isEqualTo(Movement.NONE);
    assertThat(where.key()).isEqualTo(OLD_KEY);
    assertThat(where.shard().ordinal()).isEqualTo(OLD.shardOf("acme", 0));
    assertThat(table.bucketsOf("acme")).extracting(BucketLocation::key).containsExactly(OLD_KEY);
    assertThat(table.shadowBucketsOf("acme")).extracting(BucketLocation::key)
        .containsExactly(Keys.bucket("acme", 0, 3), Keys.bucket("acme", 1, 3), Keys.bucket("acme", 2, 3));
  }

  @Test
  void whileItsCopyRunsWritesGoToTheOldKeyThenTheNewAndReadsStayOld() {
    for (Phase phase : List.of(Phase.COPYING, Phase.FENCED)) {
      RoutingTable table = at(phase);
      for (int i = 0; i < 50; i++) {
        String id = "doc-" + i;
        BucketLocation where = table.locate("acme", id);
        assertThat(where.movement()).isEqualTo(phase == Phase.COPYING ? Movement.REBUCKETING : Movement.FENCED);
        assertThat(where.sourceKey()).isEqualTo(OLD_KEY);
        assertThat(where.source().ordinal()).isEqualTo(OLD.shardOf("acme", 0));
        int bucket = NEW.bucketOf("acme", id);
        assertThat(where.key()).isEqualTo(Keys.bucket("acme", bucket, 3));
        assertThat(where.shard().ordinal()).isEqualTo(NEW.shardOf("acme", bucket));
        assertThat(where.readFrom()).isEqualTo(where.source());
        assertThat(where.readKey()).isEqualTo(OLD_KEY);
      }
      assertThat(table.bucketsOf("acme")).extracting(BucketLocation::key).containsExactly(OLD_KEY);
      assertThat(table.shadowBucketsOf("acme")).hasSize(3).allMatch(b -> b.movement() == Movement.REBUCKETING);
    }
  }

  @Test
  void afterItsSwitchOnlyTheNewCountServesAndTheOldKeysAreTheShadow() {
    RoutingTable table = at(Phase.SWITCHED);
    BucketLocation where = table.locate("acme", "doc-7");
    assertThat(where.movement()).isEqualTo(Movement.NONE);
    assertThat(where.key()).isEqualTo(Keys.bucket("acme", NEW.bucketOf("acme", "doc-7"), 3));
    assertThat(table.bucketsOf("acme")).hasSize(3).allMatch(b -> b.movement() == Movement.NONE);
    assertThat(table.shadowBucketsOf("acme")).extracting(BucketLocation::key, BucketLocation::movement)
        .containsExactly(org.assertj.core.api.Assertions.tuple(OLD_KEY, Movement.NONE));
  }

  @Test
  void otherTenantsAreUntouchedAndTheTransitionRoundTripsThroughJson() {
    RoutingTable table = at(Phase.COPYING);
    assertThat(table.locate("other", "x").movement()).isEqualTo(Movement.NONE);
    assertThat(table.shadowBucketsOf("other")).isEmpty();
    String json = RoutingTableCodec.toJson(table);
    assertThat(json).contains("\"rebuckets\":[{\"tenant\":\"acme\",\"phase\":\"COPYING\"}]");
    assertThat(RoutingTableCodec.fromJson(json)).isEqualTo(table);
    assertThat(RoutingTableCodec.toJson(at(null))).doesNotContain("rebuckets");
  }
}
