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

  /** A table with every part: pinned and spread tenants, a transition with streams and a re-bucketing. */
  static RoutingTable everyPart() {
    Placement to = new Placement(3, 2, Map.of("solo", List.of(2), "pair", List.of(0, 1)), Map.of("hot", 4, "cold", 1));
    Placement from = new Placement(2, 2, Map.of("pair", List.of(0, 1)), Map.of("hot", 2));
    Transition transition = new Transition(from,
        List.of(new Transition.StreamedBucket("hot", 3, Transition.Phase.FENCED),
            new Transition.StreamedBucket("big", 0, Transition.Phase.COPYING)),
        List.of(new Transition.RebucketedTenant("hot", Transition.Phase.SWITCHED)));
    List<ShardEndpoint> shards = List.of(ShardEndpoint.of(0, "shard-0.rag", 6379), ShardEndpoint.of(1, "shard-1.rag", 6380),
        ShardEndpoint.of(2, "::1", 6381));
    return new RoutingTable("rag", 42, new VectorSettings(3, VectorsSpec.Quantization.BIN, 8, 100), shards, to, transition);
  }

  @Test
  void jsonIsByteForByteWhatEarlierReleasesWrote() {
    // Publishing refuses a different table at the same epoch, byte for byte: an operator upgraded
    // mid-transition republishes what the old one wrote, so the form never changes silently.
    // Written by the release that bound the table with Jackson's databind.
    String published = "{\"cluster\":\"rag\",\"epoch\":42,\"vectors\":{\"dimensions\":3,\"quantization\":\"BIN\",\"m\":8,\"efConstruction\":10"
        + "0},\"shards\":[{\"ordinal\":0,\"id\":\"shard-0\",\"host\":\"shard-0.rag\",\"port\":6379},{\"ordinal\":1,\"id\":\"shard-"
        + "1\",\"host\":\"shard-1.rag\",\"port\":6380},{\"ordinal\":2,\"id\":\"shard-2\",\"host\":\"::1\",\"port\":6381}],\"placeme"
        + "nt\":{\"shards\":3,\"defaultBuckets\":2,\"pinned\":{\"pair\":[0,1],\"solo\":[2]},\"spread\":{\"cold\":1,\"hot\":4}},\""
        + "transition\":{\"from\":{\"shards\":2,\"defaultBuckets\":2,\"pinned\":{\"pair\":[0,1]},\"spread\":{\"hot\":2}},\"stre"
        + "ams\":[{\"tenant\":\"big\",\"bucket\":0,\"phase\":\"COPYING\"},{\"tenant\":\"hot\",\"bucket\":3,\"phase\":\"FENCED\"}],\"r"
        + "ebuckets\":[{\"tenant\":\"hot\",\"phase\":\"SWITCHED\"}]}}";
    assertThat(RoutingTableCodec.toJson(everyPart())).isEqualTo(published);
    assertThat(RoutingTableCodec.fromJson(published)).isEqualTo(everyPart());
    RoutingTable noStreams = everyPart().withTransition(new Transition(everyPart().transition().from(), List.of()),
        everyPart().shards(), 43);
    assertThat(RoutingTableCodec.toJson(noStreams)).endsWith("\"transition\":{\"from\":{\"shards\":2,\"defaultBuckets\":2,"
        + "\"pinned\":{\"pair\":[0,1]},\"spread\":{\"hot\":2}},\"streams\":[]}}");
    assertThat(RoutingTableCodec.fromJson(RoutingTableCodec.toJson(noStreams))).isEqualTo(noStreams);
  }

  @Test
  void readingRefusesWhatIsNotExactlyTheForm() {
    String json = RoutingTableCodec.toJson(everyPart());
    // Each: the JSON changed in one place, and what the refusal must name.
    Map<String, String> broken = new LinkedHashMap<>();
    broken.put(json.replace("\"epoch\":42,", "\"epoch\":42,\"epoch\":43,"), "epoch");
    broken.put(json.replace("\"epoch\":42,", ""), "the table has no epoch");
    broken.put(json.replace("\"epoch\":42", "\"epoch\":\"42\""), "epoch must be an integer");
    broken.put(json.replace("\"epoch\":42", "\"epoch\":42.5"), "epoch must be an integer");
    broken.put(json.replace("\"port\":6380", "\"port\":6380,\"tls\":true"), "unknown field tls in a shard");
    broken.put(json.replace("\"port\":6380", "\"port\":99999999999"), "port 99999999999 is out of range");
    broken.put(json.replace("\"epoch\":42", "\"epoch\":9223372036854775808"), "epoch 9223372036854775808 is out of range");
    broken.put(json.replace(",\"id\":\"shard-1\"", ""), "a shard has no id");
    broken.put(json.replace("\"quantization\":\"BIN\"", "\"quantization\":\"PQ\""), "quantization PQ is not one of");
    broken.put(json.replace("\"m\":8,", "\"m\":8,\"M\":8,"), "unknown field M in vectors");
    broken.put(json.replace("\"phase\":\"FENCED\"", "\"phase\":\"FENCED\",\"since\":1"), "unknown field since in a stream");
    broken.put(json.replace("\"phase\":\"SWITCHED\"", "\"phase\":null"), "phase must be a string");
    broken.put(json.replace("\"hot\",\"phase\":\"SWITCHED\"", "\"hot\""), "a re-bucketing has no phase");
    broken.put(json.replace("\"pinned\":{\"pair\":[0,1],", "\"pinned\":{\"pair\":[0,\"1\"],"), "pinned.pair must be an integer");
    broken.put(json.replace("\"spread\":{\"cold\":1,", "\"spread\":{\"cold\":1,\"cold\":2,"), "cold");
    broken.put(json.replace("\"shards\":[{", "\"shards\":{\"x\":[{").replace("}],\"placement\"", "}]},\"placement\""),
        "shards must be an array");
    broken.put(json.replace("\"from\":{\"shards\":2,", "\"from\":{"), "transition.from has no shards");
    broken.put(json + "{}", "content after the table");
    broken.put("[" + json + "]", "the table must be an object");
    broken.put(json.replace("\"cluster\":\"rag\"", "\"cluster\":null"), "cluster must be a string");
    broken.forEach((changed, named) -> {
      assertThat(changed).as(named).isNotEqualTo(json);
      assertThatThrownBy(() -> RoutingTableCodec.fromJson(changed)).as(named)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("not a routing table this router understands: ")
          .hasMessageContaining(named);
    });
    assertThat(RoutingTableCodec.fromJson(json.replace(",\"rebuckets\":[{\"tenant\":\"hot\",\"phase\":\"SWITCHED\"}]", "")
        .replace("\"transition\":{", "\"transition\":{\"rebuckets\":[],")).transition().rebuckets()).isEmpty();
    String still = RoutingTableCodec.toJson(table());
    assertThat(RoutingTableCodec.fromJson(still.substring(0, still.length() - 1) + ",\"transition\":null}")).isEqualTo(table());
  }

  @Test
  void randomTablesRoundTripByteForByte() {
    java.util.Random random = new java.util.Random(11);
    for (int round = 0; round < 300; round++) {
      int shards = 1 + random.nextInt(6);
      Placement to = randomPlacement(random, shards);
      Transition transition = null;
      int listed = shards;
      if (random.nextBoolean()) {
        int fromShards = 1 + random.nextInt(6);
        listed = Math.max(shards, fromShards);
        List<Transition.StreamedBucket> streams = new java.util.ArrayList<>();
        List<Transition.RebucketedTenant> rebuckets = new java.util.ArrayList<>();
        Transition.Phase[] phases = Transition.Phase.values();
        for (int i = random.nextInt(4); i > 0; i--) {
          streams.add(new Transition.StreamedBucket("s" + i, random.nextInt(8), phases[random.nextInt(phases.length)]));
        }
        for (int i = random.nextInt(3); i > 0; i--) {
          rebuckets.add(new Transition.RebucketedTenant("r" + i, phases[random.nextInt(phases.length)]));
        }
        transition = new Transition(randomPlacement(random, fromShards), streams, rebuckets);
      }
      VectorSettings vectors = new VectorSettings(1 + random.nextInt(VectorSettings.MAX_DIMENSIONS),
          VectorsSpec.Quantization.values()[random.nextInt(3)], 4 + random.nextInt(60), 10 + random.nextInt(500));
      RoutingTable table = new RoutingTable("c-" + round, random.nextLong(Long.MAX_VALUE), vectors, endpoints(listed), to,
          transition);
      String json = RoutingTableCodec.toJson(table);
      RoutingTable back = RoutingTableCodec.fromJson(json);
      assertThat(back).as(json).isEqualTo(table);
      assertThat(RoutingTableCodec.toJson(back)).isEqualTo(json);
    }
  }

  private static Placement randomPlacement(java.util.Random random, int shards) {
    Map<String, List<Integer>> pinned = new LinkedHashMap<>();
    Map<String, Integer> spread = new LinkedHashMap<>();
    for (int i = random.nextInt(4); i > 0; i--) {
      pinned.put("p" + random.nextInt(100), List.of(random.nextInt(shards)));
    }
    for (int i = random.nextInt(4); i > 0; i--) {
      spread.put("t" + random.nextInt(100) + "\u00e9\"", 1 + random.nextInt(9));
    }
    return new Placement(shards, 1 + random.nextInt(3), pinned, spread);
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
