package io.vectorshard.router;

import static io.vectorshard.router.testing.RouterCluster.array;
import static io.vectorshard.router.testing.RouterCluster.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorshard.api.VectorsSpec;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.testing.VectorMath;
import io.vectorshard.router.testing.RouterCluster;
import io.vectorshard.router.testing.RouterCluster.Item;
import io.vectorshard.router.testing.RouterCluster.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Contract 4: a scatter-gather answer is the true top-k by score over the union of the shards'
 * answers, and (exact quantization, high EF, small data) the true top-k by cosine over everything
 * written. RRF is available and differs from score merge where ranks and scores disagree.
 */
class ScatterGatherTest {
  private static final int DIMS = 16;
  private static final int SHARDS = 4;
  private static final int EF = 600;
  private static RouterCluster cluster;
  private static RoutingTable table;
  private static final Random random = new Random(4242);

  /** Everything written: tenant -> id -> vector. */
  private static final Map<String, Map<String, float[]>> vectors = new LinkedHashMap<>();

  /** An element of the expected answer. */
  private record Scored(String tenant, String id, double score) {}

  private static final Comparator<Scored> BY_SCORE = Comparator.comparingDouble(Scored::score).reversed()
      .thenComparing(Scored::tenant).thenComparing(Scored::id);

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(SHARDS).dimensions(DIMS).quantization(VectorsSpec.Quantization.NOQUANT)
        .spread("big", 3)
        .pin("left", 0)
        .pin("right", 1)
        .start();
    table = cluster.table();
    Map<String, Integer> sizes = new LinkedHashMap<>();
    sizes.put("big", 90);
    for (String t : List.of("t1", "t2", "t3", "t4", "t5", "t6", "t7")) {
      sizes.put(t, 30);
    }
    sizes.forEach((tenant, n) -> {
      List<Item> items = new ArrayList<>();
      Map<String, float[]> byId = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        // Ids collide across tenants on purpose: the merge must keep (tenant, id) apart.
        String id = "doc-" + i;
        float[] v = RouterCluster.randomVector(random, DIMS);
        items.add(new Item(id, v, object().put("owner", tenant)));
        byId.put(id, v);
      }
      cluster.batch(tenant, items);
      vectors.put(tenant, byId);
    });
    assertThat(vectors.values().stream().mapToInt(Map::size).sum()).isEqualTo(300);
    // The data really is spread: every shard holds some of it.
    for (int s = 0; s < SHARDS; s++) {
      assertThat(cluster.tenantKeys(s)).as("keys of shard %d", s).isNotEmpty();
    }
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static List<Scored> bruteForce(float[] query, Set<String> tenants, int topK) {
    List<Scored> all = new ArrayList<>();
    vectors.forEach((tenant, byId) -> {
      if (tenants == null || tenants.contains(tenant)) {
        byId.forEach((id, v) -> all.add(new Scored(tenant, id, VectorMath.vectorSetScore(query, v))));
      }
    });
    return all.stream().sorted(BY_SCORE).limit(topK).toList();
  }

  /** Asks every shard directly for its own top-k over the keys it owns, then merges by score. */
  private static List<Scored> unionOfShardAnswers(float[] query, Set<String> tenants, int topK) {
    List<Scored> union = new ArrayList<>();
    for (int s = 0; s < SHARDS; s++) {
      Map<String, String> tenantOfKey = new LinkedHashMap<>();
      for (String tenant : vectors.keySet()) {
        if (tenants != null && !tenants.contains(tenant)) {
          continue;
        }
        for (RoutingTable.BucketLocation b : table.bucketsOf(tenant)) {
          if (b.shard().ordinal() == s) {
            tenantOfKey.put(b.key(), tenant);
          }
        }
      }
      if (tenantOfKey.isEmpty()) {
        continue;
      }
      try (ShardClient client = cluster.shardClient(s)) {
        ShardClient.QueryReply reply = client.query(new ArrayList<>(tenantOfKey.keySet()), query, topK, EF, null);
        reply.hitsByKey().forEach((key, hits) ->
            hits.forEach(h -> union.add(new Scored(tenantOfKey.get(key), h.id(), h.score()))));
      }
    }
    return union.stream().sorted(BY_SCORE).limit(topK).toList();
  }

  private static List<Scored> parse(JsonNode results) {
    List<Scored> out = new ArrayList<>();
    for (JsonNode r : results) {
      out.add(new Scored(r.get("tenant").asText(), r.get("id").asText(), r.get("score").asDouble()));
    }
    return out;
  }

  private static void assertSameRanking(List<Scored> actual, List<Scored> expected, String what) {
    assertThat(actual.stream().map(s -> s.tenant() + "/" + s.id()).toList()).as(what)
        .containsExactlyElementsOf(expected.stream().map(s -> s.tenant() + "/" + s.id()).toList());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i).score()).as("%s score at %d", what, i).isCloseTo(expected.get(i).score(), within(1e-6));
    }
  }

  private static Response nativeSearch(float[] query, int topK, List<String> tenants, String merge) {
    ObjectNode body = object().put("topK", topK).put("ef", EF);
    body.set("vector", array(query));
    if (tenants != null) {
      tenants.forEach(body.putArray("tenants")::add);
    }
    if (merge != null) {
      body.put("merge", merge);
    }
    return cluster.post("/v1/search", body);
  }

  private static Response articleMulti(float[] query, int topK, List<String> tenants, String merge) {
    ObjectNode body = object().put("top_k", topK).put("ef", EF);
    body.set("query_vector", array(query));
    if (tenants != null) {
      tenants.forEach(body.putArray("tenants")::add);
    }
    if (merge != null) {
      body.put("merge", merge);
    }
    return cluster.post("/v1/query/multi-shard", body);
  }

  @Test
  void scatterOverAllTenantsIsTheExactTopK() {
    for (int q = 0; q < 20; q++) {
      float[] query = RouterCluster.randomVector(random, DIMS);
      int topK = q % 2 == 0 ? 10 : 1 + random.nextInt(40);
      List<Scored> union = unionOfShardAnswers(query, null, topK);
      List<Scored> exact = bruteForce(query, null, topK);
      assertSameRanking(union, exact, "shards' own answers vs brute force");

      Response native_ = nativeSearch(query, topK, null, q % 3 == 0 ? "score" : null);
      assertThat(native_.status()).as("%s", native_).isEqualTo(200);
      assertThat(native_.json().get("partial").asBoolean()).isFalse();
      assertThat(native_.json().get("missingShards")).isEmpty();
      assertThat(native_.json().get("epoch").asLong()).isEqualTo(1);
      assertSameRanking(parse(native_.json().get("results")), union, "/v1/search vs union of shard answers");
      assertSameRanking(parse(native_.json().get("results")), exact, "/v1/search vs brute force");

      Response article = articleMulti(query, topK, null, "score");
      assertThat(article.status()).as("%s", article).isEqualTo(200);
      assertThat(article.header("X-Vectorshard-Partial")).isEqualTo("false");
      assertSameRanking(parse(article.json()), exact, "/v1/query/multi-shard vs brute force");
      // Results carry their own metadata.
      for (JsonNode r : article.json()) {
        assertThat(r.get("metadata").get("owner").asText()).isEqualTo(r.get("tenant").asText());
      }
    }
  }

  @Test
  void scatterOverChosenTenantsIsTheExactTopKOfThoseTenants() {
    List<List<String>> choices = List.of(List.of("big"), List.of("big", "t3"), List.of("left", "right", "t1"),
        List.of("t2", "t4", "t5", "t6", "t7"), List.of("no-such-tenant", "t1"));
    for (List<String> chosen : choices) {
      for (int q = 0; q < 4; q++) {
        float[] query = RouterCluster.randomVector(random, DIMS);
        Set<String> set = new HashSet<>(chosen);
        List<Scored> exact = bruteForce(query, set, 15);
        assertSameRanking(unionOfShardAnswers(query, set, 15), exact, "shards vs brute force for " + chosen);
        Response native_ = nativeSearch(query, 15, chosen, "score");
        assertThat(native_.status()).isEqualTo(200);
        assertSameRanking(parse(native_.json().get("results")), exact, "/v1/search tenants " + chosen);
        Response article = articleMulti(query, 15, chosen, null);
        assertThat(article.status()).isEqualTo(200);
        assertSameRanking(parse(article.json()), exact, "/v1/query/multi-shard tenants " + chosen);
      }
    }
  }

  @Test
  void spreadTenantQueryMergesItsBucketsExactly() {
    for (int q = 0; q < 10; q++) {
      float[] query = RouterCluster.randomVector(random, DIMS);
      ObjectNode body = object().put("topK", 12).put("ef", EF);
      body.set("vector", array(query));
      Response r = cluster.post("/v1/tenants/big/query", body);
      assertThat(r.status()).isEqualTo(200);
      List<Scored> actual = new ArrayList<>();
      for (JsonNode hit : r.json().get("results")) {
        actual.add(new Scored("big", hit.get("id").asText(), hit.get("score").asDouble()));
      }
      assertSameRanking(actual, bruteForce(query, Set.of("big"), 12), "tenant query over 3 buckets");
    }
  }

  @Test
  void rrfIsAvailableAndDiffersFromScoreMergeWhereRanksAndScoresDisagree() {
    // "left" (shard 0) holds near copies of the query, "right" (shard 1) only poor matches: score
    // merge takes all of left's, RRF interleaves the two shards' rankings.
    float[] query = RouterCluster.randomVector(random, DIMS);
    List<Item> near = new ArrayList<>();
    List<Item> far = new ArrayList<>();
    Map<String, float[]> leftVectors = new HashMap<>();
    for (int i = 0; i < 6; i++) {
      float[] v = query.clone();
      v[i] += 0.05f * (i + 1);
      near.add(new Item("near-" + i, v, object().put("owner", "left")));
      leftVectors.put("near-" + i, v);
      float[] w = new float[DIMS];
      for (int d = 0; d < DIMS; d++) {
        w[d] = -query[d] + (float) random.nextGaussian() * 0.8f;
      }
      far.add(new Item("far-" + i, w, object().put("owner", "right")));
    }
    cluster.batch("left", near);
    cluster.batch("right", far);
    try {
      List<String> tenants = List.of("left", "right");
      Response score = articleMulti(query, 6, tenants, "score");
      Response rrf = articleMulti(query, 6, tenants, "rrf");
      assertThat(score.status()).isEqualTo(200);
      assertThat(rrf.status()).isEqualTo(200);
      List<Scored> byScore = parse(score.json());
      List<Scored> byRank = parse(rrf.json());
      assertThat(byScore).extracting(Scored::tenant).containsOnly("left");
      assertThat(byRank).extracting(Scored::tenant).contains("left", "right");
      assertThat(byRank).hasSize(6);
      assertThat(byRank.stream().map(s -> s.tenant() + "/" + s.id()).toList())
          .isNotEqualTo(byScore.stream().map(s -> s.tenant() + "/" + s.id()).toList());

      // RRF scores decrease, and each is 1/(60 + rank) of the element's rank on its shard.
      for (int i = 1; i < byRank.size(); i++) {
        assertThat(byRank.get(i).score()).isLessThanOrEqualTo(byRank.get(i - 1).score());
      }
      Map<String, List<String>> shardRanking = new HashMap<>();
      for (String tenant : tenants) {
        Response own = articleMulti(query, 6, List.of(tenant), "score");
        shardRanking.put(tenant, own.json().findValuesAsText("id"));
      }
      for (Scored s : byRank) {
        List<String> ranking = shardRanking.get(s.tenant());
        assertThat(ranking).contains(s.id());
        assertThat(s.score()).isCloseTo(1.0 / (60 + ranking.indexOf(s.id()) + 1), within(1e-12));
      }
      // Each shard's elements keep their relative order inside the fused list.
      for (String tenant : tenants) {
        List<String> fusedOrder = byRank.stream().filter(s -> s.tenant().equals(tenant)).map(Scored::id).toList();
        assertThat(shardRanking.get(tenant)).startsWith(fusedOrder.toArray(String[]::new));
      }
      // The native route offers RRF too.
      Response nativeRrf = nativeSearch(query, 6, tenants, "rrf");
      assertThat(parse(nativeRrf.json().get("results")).stream().map(s -> s.tenant() + "/" + s.id()).toList())
          .isEqualTo(byRank.stream().map(s -> s.tenant() + "/" + s.id()).toList());
      // Near copies of the query: scores from exact vectors.
      for (Scored s : byScore) {
        assertThat(s.score()).isCloseTo(VectorMath.vectorSetScore(query, leftVectors.get(s.id())), within(1e-6));
      }
    } finally {
      cluster.delete("/v1/tenants/left");
      cluster.delete("/v1/tenants/right");
    }
  }
}
