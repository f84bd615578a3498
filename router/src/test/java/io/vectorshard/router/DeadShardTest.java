package io.vectorshard.router;

import static io.vectorshard.router.testing.RouterCluster.array;
import static io.vectorshard.router.testing.RouterCluster.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.router.testing.RouterCluster;
import io.vectorshard.router.testing.RouterCluster.Item;
import io.vectorshard.router.testing.RouterCluster.Response;
import java.util.ArrayList;
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
 * Contract 5 with a crashed shard: an error naming the shard, or, when the request allows it, the
 * other shards' results flagged partial with the missing shard listed.
 */
class DeadShardTest {
  private static final int DIMS = 8;
  private static final int DEAD = 2;
  private static RouterCluster cluster;
  private static RoutingTable table;
  private static String deadId;
  /** tenant -> ids, for every tenant written. */
  private static final Map<String, Set<String>> written = new LinkedHashMap<>();
  private static final Random random = new Random(7);

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(3).dimensions(DIMS).pin("p0", 0).pin("p1", 1).pin("p2", 2).spread("wide", 3)
        .start();
    table = cluster.table();
    deadId = cluster.shardId(DEAD);
    for (String tenant : List.of("p0", "p1", "p2", "wide", "d1", "d2", "d3", "d4", "d5", "d6")) {
      List<Item> items = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        items.add(new Item("v" + i, RouterCluster.randomVector(random, DIMS), object().put("owner", tenant)));
      }
      cluster.batch(tenant, items);
      written.put(tenant, new HashSet<>(items.stream().map(Item::id).toList()));
    }
    // Before the crash everything answers in full.
    Response before = search(true, null);
    assertThat(before.json().get("partial").asBoolean()).isFalse();
    assertThat(before.json().get("results")).hasSize(80);
    cluster.shards().server(DEAD).kill();
    assertThat(cluster.shards().server(DEAD).isAlive()).isFalse();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static Response search(boolean allowPartial, List<String> tenants) {
    ObjectNode body = object().put("topK", 200).put("allowPartial", allowPartial);
    body.set("vector", array(RouterCluster.randomVector(random, DIMS)));
    if (tenants != null) {
      tenants.forEach(body.putArray("tenants")::add);
    }
    return cluster.post("/v1/search", body);
  }

  private static int shardOf(String tenant, String id) {
    return table.locate(tenant, id).shard().ordinal();
  }

  /** How many written elements live on live shards (optionally only for some tenants). */
  private static int aliveElements(List<String> tenants) {
    int n = 0;
    for (Map.Entry<String, Set<String>> e : written.entrySet()) {
      if (tenants == null || tenants.contains(e.getKey())) {
        n += (int) e.getValue().stream().filter(id -> shardOf(e.getKey(), id) != DEAD).count();
      }
    }
    return n;
  }

  @Test
  void scatterWithoutAllowPartialFailsNamingTheShard() {
    Response r = search(false, null);
    assertThat(r.status()).as("%s", r).isEqualTo(503);
    assertThat(r.json().get("shard").asText()).isEqualTo(deadId);
    assertThat(r.json().get("status").asInt()).isEqualTo(503);
    assertThat(r.error()).contains(deadId);

    ObjectNode article = object();
    article.set("query_vector", array(RouterCluster.randomVector(random, DIMS)));
    Response multi = cluster.post("/v1/query/multi-shard", article);
    assertThat(multi.status()).isEqualTo(503);
    assertThat(multi.json().get("shard").asText()).isEqualTo(deadId);
  }

  @Test
  void scatterWithAllowPartialAnswersFromTheOtherShards() {
    double partialsBefore = cluster.metric("vsc_router_partial_results_total", Map.of());
    Response r = search(true, null);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.json().get("partial").asBoolean()).isTrue();
    JsonNode missing = r.json().get("missingShards");
    assertThat(missing).hasSize(1);
    assertThat(missing.get(0).get("shard").asText()).isEqualTo(deadId);
    assertThat(missing.get(0).get("error").asText()).isNotBlank();
    JsonNode results = r.json().get("results");
    // Everything the live shards hold, nothing from the dead one.
    assertThat(results).hasSize(aliveElements(null));
    Set<Integer> shardsSeen = new HashSet<>();
    for (JsonNode hit : results) {
      String tenant = hit.get("tenant").asText();
      int shard = shardOf(tenant, hit.get("id").asText());
      assertThat(shard).isNotEqualTo(DEAD);
      assertThat(hit.get("metadata").get("owner").asText()).isEqualTo(tenant);
      shardsSeen.add(shard);
    }
    assertThat(shardsSeen).containsExactlyInAnyOrder(0, 1);

    String metrics = cluster.metrics();
    assertThat(RouterCluster.metricValue(metrics, "vsc_router_partial_results_total", Map.of()))
        .isEqualTo(partialsBefore + 1);
    assertThat(RouterCluster.metricValue(metrics, "vsc_router_missing_shard_total", Map.of("shard", deadId)))
        .isGreaterThanOrEqualTo(1);
    assertThat(RouterCluster.metricValue(metrics, "vsc_router_shard_request_seconds_count",
        Map.of("shard", deadId, "op", "query", "outcome", "error"))).isGreaterThanOrEqualTo(1);
  }

  @Test
  void scatterOverChosenTenantsOnlyMissesShardsItNeeds() {
    // p0 and p1 live on live shards: the dead shard is not asked, the answer is complete.
    Response complete = search(false, List.of("p0", "p1"));
    assertThat(complete.status()).as("%s", complete).isEqualTo(200);
    assertThat(complete.json().get("partial").asBoolean()).isFalse();
    assertThat(complete.json().get("results")).hasSize(16);
    // "wide" has a bucket on every shard.
    Response partial = search(true, List.of("wide", "p2"));
    assertThat(partial.status()).isEqualTo(200);
    assertThat(partial.json().get("partial").asBoolean()).isTrue();
    assertThat(partial.json().get("results")).hasSize(aliveElements(List.of("wide", "p2")));
    assertThat(partial.json().get("missingShards").get(0).get("shard").asText()).isEqualTo(deadId);
  }

  @Test
  void articleRouteFlagsPartialResultsInHeaders() {
    ObjectNode article = object().put("top_k", 200).put("allowPartial", true);
    article.set("query_vector", array(RouterCluster.randomVector(random, DIMS)));
    Response r = cluster.post("/v1/query/multi-shard", article);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.header("X-Vectorshard-Partial")).isEqualTo("true");
    assertThat(r.header("X-Vectorshard-Missing-Shards")).isEqualTo(deadId);
    assertThat(r.header("X-Vectorshard-Epoch")).isEqualTo("1");
    assertThat(r.json().isArray()).isTrue();
    assertThat(r.json()).hasSize(aliveElements(null));
    for (JsonNode hit : r.json()) {
      assertThat(shardOf(hit.get("tenant").asText(), hit.get("id").asText())).isNotEqualTo(DEAD);
    }
  }

  @Test
  void tenantRoutesOnTheDeadShardFailNamingItAndOthersWork() {
    ObjectNode query = object();
    query.set("vector", array(RouterCluster.randomVector(random, DIMS)));
    Response dead = cluster.post("/v1/tenants/p2/query", query);
    assertThat(dead.status()).as("%s", dead).isEqualTo(503);
    assertThat(dead.json().get("shard").asText()).isEqualTo(deadId);

    ObjectNode article = object();
    article.set("query_vector", array(RouterCluster.randomVector(random, DIMS)));
    article.putObject("filters").put("tenant_id", "p2");
    Response deadArticle = cluster.post("/v1/query", article);
    assertThat(deadArticle.status()).isEqualTo(503);
    assertThat(deadArticle.json().get("shard").asText()).isEqualTo(deadId);

    ObjectNode upsert = object();
    upsert.set("vector", array(RouterCluster.randomVector(random, DIMS)));
    Response write = cluster.put("/v1/tenants/p2/vectors/new", upsert);
    assertThat(write.status()).as("%s", write).isEqualTo(503);
    assertThat(write.json().get("shard").asText()).isEqualTo(deadId);
    Response get = cluster.get("/v1/tenants/p2/vectors/v1");
    assertThat(get.status()).isEqualTo(503);
    assertThat(get.json().get("shard").asText()).isEqualTo(deadId);

    Response alive = cluster.post("/v1/tenants/p1/query", query);
    assertThat(alive.status()).isEqualTo(200);
    assertThat(alive.json().get("results")).hasSize(8);
    assertThat(cluster.put("/v1/tenants/p1/vectors/new", upsert).status()).isEqualTo(201);
    assertThat(cluster.get("/v1/tenants/p1/vectors/new").status()).isEqualTo(200);
    assertThat(cluster.delete("/v1/tenants/p1/vectors/new").json().get("deleted").asBoolean()).isTrue();
  }

  @Test
  void probesStayUpWhileAShardIsDown() {
    assertThat(cluster.get("/healthz").status()).isEqualTo(200);
    Response ready = cluster.get("/readyz");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().get("epoch").asLong()).isEqualTo(1);
  }
}
