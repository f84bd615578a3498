package io.vectorshard.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorshard.router.testing.RouterCluster;
import io.vectorshard.router.testing.RouterCluster.Item;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How the router serves HTTP: uncompressed answers (the client is on localhost) even when gzip is
 * offered, each with its Content-Length rather than chunked.
 */
class HttpServingTest {
  private static final int DIMS = 4;
  private static RouterCluster cluster;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(1).dimensions(DIMS).start();
    Random random = new Random(3);
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      items.add(new Item("doc-" + i, RouterCluster.randomVector(random, DIMS),
          RouterCluster.object().put("title", "a title long enough to make the answer large " + i)));
    }
    cluster.batch("acme", items);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.header("Accept-Encoding", "gzip, br").build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void largeAnswersAreNotCompressedEvenWhenTheClientOffersGzip() throws Exception {
    HttpResponse<String> query = send(HttpRequest.newBuilder(URI.create(cluster.baseUrl() + "/v1/tenants/acme/query"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"vector\": [1, 0, 0, 0], \"topK\": 100}")));
    assertThat(query.statusCode()).isEqualTo(200);
    assertThat(query.body().length()).as("well above the 1500 bytes past which HTTP layers usually compress").isGreaterThan(5000);
    assertThat(query.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(query.headers().firstValue("Transfer-Encoding")).isEmpty();
    assertThat(query.headers().firstValueAsLong("Content-Length")).hasValue(query.body().length());
    JsonNode results = RouterCluster.JSON.readTree(query.body()).get("results");
    assertThat(results).hasSize(100);

    HttpResponse<String> metrics = send(HttpRequest.newBuilder(URI.create(cluster.baseUrl() + "/metrics")).GET());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Encoding")).isEmpty();
    assertThat(metrics.body()).contains("vsc_router_http_requests_total");
    assertThat(metrics.headers().firstValueAsLong("Content-Length")).hasValue(metrics.body().length());
  }

  /** A handler's own 404 keeps its message (written once, not replaced by the route error). */
  @Test
  void notFoundAnswersSayWhatWasNotFound() throws Exception {
    HttpResponse<String> missing = send(HttpRequest.newBuilder(
        URI.create(cluster.baseUrl() + "/v1/tenants/acme/vectors/no-such-doc")).GET());
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(RouterCluster.JSON.readTree(missing.body()).get("error").asText())
        .isEqualTo("vector \"no-such-doc\" not found for tenant acme");
    HttpResponse<String> unmatched = send(HttpRequest.newBuilder(URI.create(cluster.baseUrl() + "/v2/nothing")).GET());
    assertThat(unmatched.statusCode()).isEqualTo(404);
    assertThat(RouterCluster.JSON.readTree(unmatched.body()).get("error").asText()).contains("GET /v2/nothing");
  }
}
