package io.vectorshard.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorshard.router.testing.RouterCluster;
import io.vectorshard.router.testing.RouterCluster.Response;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A router whose seeds hold no routing table yet: alive, not ready, every routed request a 503 that
 * says why and changes nothing; once a table is published it becomes ready by itself.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NotReadyTest {
  private static RouterCluster cluster;

  @BeforeAll
  static void start() {
    // The periodic check is off: only the announcement can bring the table.
    cluster = RouterCluster.builder(1).unpublished()
        .config(c -> RouterCluster.withTableCheckInterval(c, Duration.ZERO))
        .start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  @Order(1)
  void withoutATableTheRouterIsAliveButNotReady() {
    assertThat(cluster.get("/healthz").status()).isEqualTo(200);
    Response ready = cluster.get("/readyz");
    assertThat(ready.status()).isEqualTo(503);
    assertThat(ready.json().get("ready").asBoolean()).isFalse();
    assertThat(ready.json().get("epoch").asLong()).isZero();
    assertThat(cluster.get("/metrics").status()).isEqualTo(200);

    long keys = cluster.totalKeys();
    String vector = "{\"vector\": [1, 2, 3, 4]}";
    Map<String, Response> answers = Map.of(
        "upsert", cluster.send("PUT", "/v1/tenants/t/vectors/x", vector),
        "batch", cluster.send("POST", "/v1/tenants/t/vectors:batch", "{\"vectors\": [{\"id\": \"x\", \"vector\": [1]}]}"),
        "get", cluster.get("/v1/tenants/t/vectors/x"),
        "delete", cluster.delete("/v1/tenants/t/vectors/x"),
        "drop", cluster.delete("/v1/tenants/t"),
        "query", cluster.send("POST", "/v1/tenants/t/query", vector),
        "search", cluster.send("POST", "/v1/search", vector),
        "article", cluster.send("POST", "/v1/query", "{\"query_vector\": [1], \"filters\": {\"tenant_id\": \"t\"}}"),
        "multi-shard", cluster.send("POST", "/v1/query/multi-shard", "{\"query_vector\": [1]}"),
        "routing", cluster.get("/v1/routing"));
    answers.forEach((route, r) -> {
      assertThat(r.status()).as("%s: %s", route, r).isEqualTo(503);
      assertThat(r.error()).as(route).contains("no routing table yet").contains("published");
    });
    assertThat(cluster.totalKeys()).isEqualTo(keys);
  }

  @Test
  @Order(2)
  void publishingATableMakesItReady() throws InterruptedException {
    cluster.shards().publish(RouterCluster.CLUSTER, 1, cluster.shards().spec(4));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (cluster.get("/readyz").status() != 200 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Response ready = cluster.get("/readyz");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().get("epoch").asLong()).isEqualTo(1);
    assertThat(cluster.send("PUT", "/v1/tenants/t/vectors/x", "{\"vector\": [1, 2, 3, 4]}").status()).isEqualTo(201);
    assertThat(cluster.get("/v1/tenants/t/vectors/x").status()).isEqualTo(200);
  }
}
