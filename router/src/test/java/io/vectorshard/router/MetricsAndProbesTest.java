package io.vectorshard.router;

import static io.vectorshard.router.testing.RouterCluster.array;
import static io.vectorshard.router.testing.RouterCluster.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorshard.router.testing.RawHttp;
import io.vectorshard.router.testing.RouterCluster;
import io.vectorshard.router.testing.RouterCluster.Response;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Contract 7 for the router: Prometheus metrics per shard, operation, route and status; probes. */
class MetricsAndProbesTest {
  private static final int DIMS = 4;
  private static final String SECRET_TENANT = "tenant-name-never-in-metrics";
  private static RouterCluster cluster;
  private static final Random random = new Random(8);

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(2).dimensions(DIMS).spread(SECRET_TENANT, 2).start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void probesAnswer() {
    Response health = cluster.get("/healthz");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("status").asText()).isEqualTo("ok");
    Response ready = cluster.get("/readyz");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().get("ready").asBoolean()).isTrue();
    assertThat(ready.json().get("epoch").asLong()).isEqualTo(1);
    Response routing = cluster.get("/v1/routing");
    assertThat(routing.status()).isEqualTo(200);
    assertThat(routing.json().get("epoch").asLong()).isEqualTo(1);
    assertThat(routing.json().get("cluster").asText()).isEqualTo(RouterCluster.CLUSTER);
    assertThat(routing.json().get("shards")).hasSize(2);
    assertThat(routing.json().get("vectors").get("dimensions").asInt()).isEqualTo(DIMS);
  }

  @Test
  void metricsCoverShardCallsRoutesAndTheEpoch() {
    String before = cluster.metrics();
    for (int i = 0; i < 20; i++) {
      cluster.upsert(SECRET_TENANT, "v" + i, RouterCluster.randomVector(random, DIMS), null);
    }
    ObjectNode query = object();
    query.set("vector", array(RouterCluster.randomVector(random, DIMS)));
    assertThat(cluster.post("/v1/tenants/" + SECRET_TENANT + "/query", query).status()).isEqualTo(200);
    assertThat(cluster.post("/v1/tenants/" + SECRET_TENANT + "/query", "{\"vector\": [1]}").status()).isEqualTo(400);
    assertThat(cluster.get("/v1/tenants/" + SECRET_TENANT + "/vectors/v1").status()).isEqualTo(200);
    assertThat(cluster.get("/no/such/route").status()).isEqualTo(404);

    Response page = cluster.get("/metrics");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type")).startsWith("text/plain");
    String after = page.body();

    assertThat(after).contains("# TYPE vsc_router_shard_request_seconds histogram");
    for (int s = 0; s < 2; s++) {
      String shard = cluster.shardId(s);
      for (String op : new String[] {"upsert", "query"}) {
        Map<String, String> labels = Map.of("shard", shard, "op", op, "outcome", "ok");
        assertThat(RouterCluster.metricValue(after, "vsc_router_shard_request_seconds_count", labels))
            .as("%s calls to %s", op, shard).isGreaterThan(0);
        assertThat(RouterCluster.metricValue(after, "vsc_router_shard_request_seconds_bucket",
            Map.of("shard", shard, "op", op, "le", "+Inf")))
            .isEqualTo(RouterCluster.metricValue(after, "vsc_router_shard_request_seconds_count",
                Map.of("shard", shard, "op", op)));
      }
    }
    // 20 single upserts: exactly 20 upsert calls over the two shards.
    Map<String, String> upserts = Map.of("op", "upsert");
    assertThat(RouterCluster.metricValue(after, "vsc_router_shard_request_seconds_count", upserts)
        - RouterCluster.metricValue(before, "vsc_router_shard_request_seconds_count", upserts)).isEqualTo(20.0);

    // One route template serves PUT, GET and DELETE: the method label keeps them apart.
    String vectorRoute = "/v1/tenants/{tenant}/vectors/{id}";
    assertThat(delta(before, after, "vsc_router_http_requests_total",
        Map.of("method", "PUT", "route", vectorRoute, "status", "201"))).isEqualTo(20.0);
    assertThat(delta(before, after, "vsc_router_http_requests_total",
        Map.of("method", "POST", "route", "/v1/tenants/{tenant}/query", "status", "200"))).isEqualTo(1.0);
    assertThat(delta(before, after, "vsc_router_http_requests_total",
        Map.of("method", "POST", "route", "/v1/tenants/{tenant}/query", "status", "400"))).isEqualTo(1.0);
    assertThat(delta(before, after, "vsc_router_http_requests_total",
        Map.of("method", "GET", "route", vectorRoute, "status", "200"))).isEqualTo(1.0);
    assertThat(delta(before, after, "vsc_router_http_requests_total",
        Map.of("method", "PUT", "route", vectorRoute, "status", "200"))).isZero();
    assertThat(delta(before, after, "vsc_router_http_requests_total",
        Map.of("method", "GET", "route", "unmatched", "status", "404"))).isEqualTo(1.0);
    assertThat(delta(before, after, "vsc_router_http_request_seconds_count",
        Map.of("method", "PUT", "route", vectorRoute))).isEqualTo(20.0);
    assertThat(delta(before, after, "vsc_router_http_request_seconds_count",
        Map.of("method", "GET", "route", vectorRoute))).isEqualTo(1.0);
    assertThat(delta(before, after, "vsc_router_vectors_written_total", Map.of())).isEqualTo(20.0);

    assertThat(RouterCluster.metricValue(after, "vsc_router_routing_epoch", Map.of())).isEqualTo(1.0);
    assertThat(RouterCluster.metricValue(after, "vsc_router_table_refreshes_total", Map.of("trigger", "bootstrap")))
        .isEqualTo(1.0);
    assertThat(after).contains("vsc_router_partial_results_total").contains("vsc_router_stale_retries_total");
    // Labels are route templates and shard ids: tenant names and ids never become label values.
    assertThat(after).doesNotContain(SECRET_TENANT);
  }

  /** Any token is a method to HTTP's grammar; the metrics must not take a client's tokens as label values. */
  @Test
  void methodsAClientInventsCountAsOneLabelValue() throws Exception {
    String before = cluster.metrics();
    for (String method : new String[] {"BREW1", "BREW2", "BREW3"}) {
      RawHttp.Raw raw = RawHttp.exchange(cluster.router().port(), method + " /v1/search HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(raw.status()).as("%s", raw).isEqualTo(405);
      assertThat(raw.headers().get("allow")).isEqualTo("POST");
    }
    String after = cluster.metrics();
    assertThat(delta(before, after, "vsc_router_http_requests_total",
        Map.of("method", "OTHER", "route", "unmatched", "status", "405"))).isEqualTo(3.0);
    assertThat(after).doesNotContain("BREW");
  }

  private static double delta(String before, String after, String name, Map<String, String> labels) {
    return RouterCluster.metricValue(after, name, labels) - RouterCluster.metricValue(before, name, labels);
  }
}
