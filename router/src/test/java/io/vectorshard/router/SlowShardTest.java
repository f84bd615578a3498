package io.vectorshard.router;

import static io.vectorshard.router.testing.RouterCluster.array;
import static io.vectorshard.router.testing.RouterCluster.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorshard.core.redis.RedisProcess;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.router.testing.RouterCluster;
import io.vectorshard.router.testing.RouterCluster.Item;
import io.vectorshard.router.testing.RouterCluster.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;

/**
 * Contract 5 with a slow shard: every shard call has a deadline, a shard past it is named (504) or
 * left out of a partial answer, and the fan-out is parallel: the other shards' answers arrive while
 * the slow one is still stalled.
 */
class SlowShardTest {
  private static final int DIMS = 8;
  /** The stalled shard is the first one the fan-out visits, so a serial fan-out could not hide it. */
  private static final int SLOW = 0;
  private static final long PAUSE_MS = 4500;
  private static RouterCluster cluster;
  private static RoutingTable table;
  private static String slowId;
  private static final Random random = new Random(99);

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(3).dimensions(DIMS).pin("p0", 0).pin("p1", 1).pin("p2", 2)
        .config(c -> c.withShardTimeout(Duration.ofMillis(400)))
        .start();
    table = cluster.table();
    slowId = cluster.shardId(SLOW);
    for (String tenant : List.of("p0", "p1", "p2", "d1", "d2", "d3", "d4")) {
      List<Item> items = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        items.add(new Item("v" + i, RouterCluster.randomVector(random, DIMS), object().put("owner", tenant)));
      }
      cluster.batch(tenant, items);
    }
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static ObjectNode searchBody(boolean allowPartial) {
    ObjectNode body = object().put("topK", 100).put("timeoutMs", 300).put("allowPartial", allowPartial);
    body.set("vector", array(RouterCluster.randomVector(random, DIMS)));
    return body;
  }

  private static boolean stalled(int ordinal) {
    return RedisShards.stalled(cluster.endpoint(ordinal).port());
  }

  @Test
  void aStalledShardIsNamedOrLeftOutWhileTheOthersAnswer() {
    try (Jedis admin = cluster.jedis(SLOW)) {
      admin.clientPause(PAUSE_MS, ClientPauseMode.ALL);
    }
    try {
      // Allowed partial: the others' answers, without waiting for the stalled shard.
      Response partial = cluster.post("/v1/search", searchBody(true));
      assertThat(stalled(SLOW)).as("shard still stalled when the answer arrived").isTrue();
      assertThat(partial.status()).as("%s", partial).isEqualTo(200);
      assertThat(partial.json().get("partial").asBoolean()).isTrue();
      assertThat(partial.json().get("missingShards")).hasSize(1);
      assertThat(partial.json().get("missingShards").get(0).get("shard").asText()).isEqualTo(slowId);
      assertThat(partial.json().get("missingShards").get(0).get("error").asText()).contains("timed out");
      Set<Integer> shardsSeen = new HashSet<>();
      for (JsonNode hit : partial.json().get("results")) {
        shardsSeen.add(table.locate(hit.get("tenant").asText(), hit.get("id").asText()).shard().ordinal());
      }
      assertThat(shardsSeen).containsExactlyInAnyOrder(1, 2);

      // Not allowed: 504 naming the shard.
      Response strict = cluster.post("/v1/search", searchBody(false));
      assertThat(strict.status()).as("%s", strict).isEqualTo(504);
      assertThat(strict.json().get("shard").asText()).isEqualTo(slowId);
      assertThat(strict.error()).contains(slowId).contains("timed out");

      // The article's multi-shard route: the list, flagged in headers.
      ObjectNode article = object().put("top_k", 100).put("timeoutMs", 300).put("allowPartial", true);
      article.set("query_vector", array(RouterCluster.randomVector(random, DIMS)));
      Response multi = cluster.post("/v1/query/multi-shard", article);
      assertThat(multi.status()).isEqualTo(200);
      assertThat(multi.header("X-Vectorshard-Partial")).isEqualTo("true");
      assertThat(multi.header("X-Vectorshard-Missing-Shards")).isEqualTo(slowId);
      assertThat(multi.json().size()).isGreaterThan(0);

      // A tenant living on the stalled shard: its deadline is the router's shard timeout.
      ObjectNode query = object();
      query.set("vector", array(RouterCluster.randomVector(random, DIMS)));
      Response tenant = cluster.post("/v1/tenants/p0/query", query);
      assertThat(tenant.status()).as("%s", tenant).isEqualTo(504);
      assertThat(tenant.json().get("shard").asText()).isEqualTo(slowId);
      // ... or the request's own timeoutMs, on the tenant route and the article's /v1/query alike.
      query.put("timeoutMs", 250);
      Response ownDeadline = cluster.post("/v1/tenants/p0/query", query);
      assertThat(ownDeadline.status()).as("%s", ownDeadline).isEqualTo(504);
      assertThat(ownDeadline.json().get("shard").asText()).isEqualTo(slowId);
      assertThat(ownDeadline.error()).contains("timed out after 250 ms");
      ObjectNode articleQuery = object().put("timeoutMs", 250);
      articleQuery.set("query_vector", array(RouterCluster.randomVector(random, DIMS)));
      articleQuery.putObject("filters").put("tenant_id", "p0");
      Response articleDeadline = cluster.post("/v1/query", articleQuery);
      assertThat(articleDeadline.status()).as("%s", articleDeadline).isEqualTo(504);
      assertThat(articleDeadline.error()).contains(slowId).contains("timed out after 250 ms");
      // ... while tenants elsewhere are unaffected.
      Response other = cluster.post("/v1/tenants/p1/query", query);
      assertThat(other.status()).isEqualTo(200);
      assertThat(other.json().get("results")).hasSize(5);
      assertThat(stalled(SLOW)).as("pause outlasted the checks").isTrue();
    } finally {
      RedisProcess.awaitPing(cluster.endpoint(SLOW).port(), RedisShards.ADMIN, Duration.ofSeconds(10), () -> true);
    }
    // Once the shard answers again, so does the router, in full.
    Response after = cluster.post("/v1/search", searchBody(false));
    assertThat(after.status()).as("%s", after).isEqualTo(200);
    assertThat(after.json().get("partial").asBoolean()).isFalse();
    assertThat(after.json().get("results")).hasSize(35);
  }

  @Test
  void deadlinesOutsideTheAllowedRangeAreRefused() {
    for (int timeout : new int[] {0, -1, 60_001}) {
      ObjectNode body = searchBody(true).put("timeoutMs", timeout);
      Response r = cluster.post("/v1/search", body);
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.error()).contains("timeoutMs");
      ObjectNode tenantBody = object().put("timeoutMs", timeout);
      tenantBody.set("vector", array(RouterCluster.randomVector(random, DIMS)));
      Response tenant = cluster.post("/v1/tenants/p1/query", tenantBody);
      assertThat(tenant.status()).isEqualTo(400);
      assertThat(tenant.error()).contains("timeoutMs");
    }
  }
}
