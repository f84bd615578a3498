package io.vectorshard.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorshard.api.PlacementSpec;
import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.api.VectorsSpec;
import io.vectorshard.core.placement.Placement;
import io.vectorshard.core.redis.Keys;
import io.vectorshard.core.tenant.InvalidNameException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RoutingTableCodecTest {

  static List<ShardEndpoint> endpoints(int n) {
    return IntStream.range(0, n).mapToObj(i -> ShardEndpoint.of(i, "10.0.0." + (i + 1), 6379)).toList();
  }

  static RoutingTable table() {
    Placement placement = new Placement(5, 1,
        Map.of("pinned-co", List.of(1, 3), "solo", List.of(4)),
        Map.of("hot", 4, "pinned-co", 2, "global", 5));
    return new RoutingTable("rag", 17, new VectorSettings(384, VectorsSpec.Quantization.Q8, 16, 200), endpoints(5),
        placement);
  }

  @Test
  void jsonRoundTripEqualsTheOriginal() {
    RoutingTable table = table();
    String json = RoutingTableCodec.toJson(table);
    RoutingTable back = RoutingTableCodec.fromJson(json);
    assertThat(back).isEqualTo(table);
    assertThat(back.placement().pinned()).isEqualTo(table.placement().pinned());
    assertThat(back.placement().spread()).isEqualTo(table.placement().spread());
    assertThat(back.shards()).isEqualTo(table.shards());
    assertThat(back.vectors()).isEqualTo(table.vectors());
    assertThat(RoutingTableCodec.toJson(back)).isEqualTo(json);
  }

  @Test
  void jsonHasTheDocumentedShape() {
    String json = RoutingTableCodec.toJson(table());
    assertThat(json)
        .contains("\"cluster\":\"rag\"")
        .contains("\"epoch\":17")
        .contains("\"dimensions\":384")
        .contains("\"quantization\":\"Q8\"")
        .contains("{\"ordinal\":0,\"id\":\"shard-0\",\"host\":\"10.0.0.1\",\"port\":6379}")
        .contains("\"pinned\":{\"pinned-co\":[1,3],\"solo\":[4]}")
        .contains("\"spread\":{\"global\":5,\"hot\":4,\"pinned-co\":2}")
        .doesNotContain("address");
  }

  @Test
  void jsonIsTheSameWhateverTheMapInsertionOrder() {
    // Publishing relies on this: the same table at the same epoch must give byte-identical JSON,
    // or a republish (say by a restarted operator) would be refused as a different table.
    Map<String, Integer> forward = new LinkedHashMap<>();
    Map<String, Integer> backward = new LinkedHashMap<>();
    for (int i = 0; i < 50; i++) {
      forward.put("t" + i, 2 + i % 3);
      backward.put("t" + (49 - i), 2 + (49 - i) % 3);
    }
    VectorSettings vectors = new VectorSettings(8, VectorsSpec.Quantization.NOQUANT, 16, 200);
    RoutingTable a = new RoutingTable("rag", 1, vectors, endpoints(3), new Placement(3, 1, Map.of(), forward));
    RoutingTable b = new RoutingTable("rag", 1, vectors, endpoints(3), new Placement(3, 1, Map.of(), backward));
    assertThat(RoutingTableCodec.toJson(a)).isEqualTo(RoutingTableCodec.toJson(b));
  }

  @Test
  void unknownFieldIsRejected() {
    String json = RoutingTableCodec.toJson(table());
    String withFuture = json.substring(0, json.length() - 1) + ",\"resharding\":{\"from\":3}}";
    assertThatThrownBy(() -> RoutingTableCodec.fromJson(withFuture))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("resharding");
    String nested = json.replace("\"spread\":", "\"weights\":{},\"spread\":");
    assertThat(nested).isNotEqualTo(json);
    assertThatThrownBy(() -> RoutingTableCodec.fromJson(nested))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weights");
  }

  @Test
  void aTransitionRoundTripsAndATableWithoutOneHasNoTransitionField() {
    assertThat(RoutingTableCodec.toJson(table())).doesNotContain("transition");
    Placement from = new Placement(3, 1, Map.of("solo", List.of(2)), Map.of("hot", 4, "pinned-co", 2, "global", 5));
    Transition transition = new Transition(from, List.of(
        new Transition.StreamedBucket("hot", 3, Transition.Phase.SWITCHED),
        new Transition.StreamedBucket("big", 0, Transition.Phase.COPYING)));
    RoutingTable moving = table().withTransition(transition, endpoints(5), 18);
    String json = RoutingTableCodec.toJson(moving);
    assertThat(json).contains("\"transition\":{\"from\":{\"shards\":3,")
        .contains("\"streams\":[{\"tenant\":\"big\",\"bucket\":0,\"phase\":\"COPYING\"},"
            + "{\"tenant\":\"hot\",\"bucket\":3,\"phase\":\"SWITCHED\"}]");
    assertThat(RoutingTableCodec.fromJson(json)).isEqualTo(moving);
    assertThatThrownBy(() -> table().withTransition(transition, endpoints(3), 18))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table lists 3 shards but its placements span 5");
  }

  @Test
  void tableWithMismatchedShardCountIsRejected() {
    String json = RoutingTableCodec.toJson(table());
    assertThat(json).contains("\"shards\":5,");
    String mismatched = json.replace("\"shards\":5,", "\"shards\":6,");
    assertThatThrownBy(() -> RoutingTableCodec.fromJson(mismatched))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table lists 5 shards but placement has 6");

    assertThatThrownBy(() -> new RoutingTable("rag", 1, table().vectors(), endpoints(4), table().placement()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table lists 4 shards but placement has 5");
  }

  @Test
  void shardsOutOfOrderAreRejected() {
    List<ShardEndpoint> swapped = List.of(ShardEndpoint.of(1, "a", 1), ShardEndpoint.of(0, "b", 2));
    assertThatThrownBy(() -> new RoutingTable("rag", 1, table().vectors(), swapped, Placement.uniform(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("position 0 has ordinal 1");
  }

  @Test
  void malformedJsonIsRejected() {
    assertThatThrownBy(() -> RoutingTableCodec.fromJson("{\"cluster\":")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a routing table");
    String badPlacement = RoutingTableCodec.toJson(table()).replace("\"solo\":[4]", "\"solo\":[9]");
    assertThatThrownBy(() -> RoutingTableCodec.fromJson(badPlacement)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("solo");
  }

  @Test
  void locateAndBucketsOfAgreeWithPlacement() {
    RoutingTable table = table();
    Placement placement = table.placement();
    for (String tenant : List.of("acme", "hot", "pinned-co", "solo", "global", "tenant-00042")) {
      List<RoutingTable.BucketLocation> buckets = table.bucketsOf(tenant);
      int[] owners = placement.shardsOf(tenant);
      assertThat(buckets).hasSize(placement.bucketsOf(tenant));
      for (int b = 0; b < owners.length; b++) {
        RoutingTable.BucketLocation location = buckets.get(b);
        assertThat(location.tenant()).isEqualTo(tenant);
        assertThat(location.bucket()).isEqualTo(b);
        assertThat(location.key()).isEqualTo(Keys.bucket(tenant, b, table.placement().bucketsOf(tenant)));
        assertThat(location.shard()).isEqualTo(table.shards().get(owners[b]));
      }
      for (int i = 0; i < 200; i++) {
        String id = "doc-" + i;
        RoutingTable.BucketLocation location = table.locate(tenant, id);
        int bucket = placement.bucketOf(tenant, id);
        assertThat(location.bucket()).isEqualTo(bucket);
        assertThat(location.key()).isEqualTo(placement.bucketsOf(tenant) == 1 ? "vsc:t:{" + tenant + "}:0"
            : "vsc:t:{" + tenant + "}:" + bucket + "of" + placement.bucketsOf(tenant));
        assertThat(location.shard().ordinal()).isEqualTo(placement.shardOf(tenant, bucket));
        assertThat(location).isEqualTo(buckets.get(bucket));
      }
    }
    assertThat(table.bucketsOf("hot")).extracting(l -> l.shard().ordinal()).doesNotHaveDuplicates();
    assertThat(table.bucketsOf("pinned-co")).extracting(l -> l.shard().ordinal()).containsExactlyInAnyOrder(1, 3);
    assertThat(table.bucketsOf("solo")).extracting(l -> l.shard().ordinal()).containsExactly(4);
  }

  @Test
  void locateRejectsInvalidTenants() {
    assertThatThrownBy(() -> table().locate("ac}me", "doc-1")).isInstanceOf(InvalidNameException.class);
    assertThatThrownBy(() -> table().bucketsOf("a:b")).isInstanceOf(InvalidNameException.class);
  }

  @Test
  void tableFromSpec() {
    VectorShardClusterSpec spec = new VectorShardClusterSpec();
    spec.setShards(3);
    spec.getVectors().setDimensions(384);
    spec.getPlacement().setPinned(List.of(new PlacementSpec.PinnedTenant("acme", List.of(2))));
    spec.getPlacement().setSpread(List.of(new PlacementSpec.SpreadTenant("hot", 3)));
    RoutingTable table = RoutingTable.of("rag", 4, spec, endpoints(3));
    assertThat(table.vectors()).isEqualTo(new VectorSettings(384, VectorsSpec.Quantization.Q8, 16, 200));
    assertThat(table.placement()).isEqualTo(new Placement(3, 1, Map.of("acme", List.of(2)), Map.of("hot", 3)));
    assertThat(table.withEpoch(5)).isEqualTo(RoutingTable.of("rag", 5, spec, endpoints(3)));
    assertThat(RoutingTableCodec.fromJson(RoutingTableCodec.toJson(table))).isEqualTo(table);
  }
}
