package io.vectorshard.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorshard.router.testing.RouterCluster;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How request bodies are read: over {@code maxRequestBytes}, whether the length is declared or the
 * body is sent chunked, a 413 in the JSON envelope; up to it, the body is read whole.
 */
class BodyLimitTest {
  private static final int LIMIT = 200;
  private static RouterCluster cluster;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(1).dimensions(4)
        .config(c -> c.withHttp(c.http().withMaxRequestBytes(LIMIT)))
        .start();
    cluster.upsert("acme", "doc", new float[] {1, 0, 0, 0}, RouterCluster.object().put("n", 1));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static HttpResponse<String> post(HttpRequest.BodyPublisher body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(cluster.baseUrl() + "/v1/tenants/acme/query"))
        .header("Content-Type", "application/json").POST(body).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A query padded with spaces to exactly {@code length} bytes. */
  private static String query(int length) {
    String json = "{\"vector\": [1, 0, 0, 0], \"topK\": 1}";
    return json.substring(0, json.length() - 1) + " ".repeat(length - json.length()) + "}";
  }

  @Test
  void aBodyOverTheLimitIsRefusedWith413() throws Exception {
    HttpResponse<String> over = post(HttpRequest.BodyPublishers.ofString(query(LIMIT + 1)));
    assertThat(over.statusCode()).isEqualTo(413);
    JsonNode error = RouterCluster.JSON.readTree(over.body());
    assertThat(error.get("status").asInt()).isEqualTo(413);
    assertThat(error.get("error").asText()).isEqualTo("Content Too Large");
  }

  @Test
  void aBodyAtTheLimitIsRead() throws Exception {
    HttpResponse<String> atLimit = post(HttpRequest.BodyPublishers.ofString(query(LIMIT)));
    assertThat(atLimit.statusCode()).as(atLimit.body()).isEqualTo(200);
    assertThat(RouterCluster.JSON.readTree(atLimit.body()).get("results").get(0).get("id").asText()).isEqualTo("doc");
  }

  @Test
  void aChunkedBodyOverTheLimitIsRefusedWith413() throws Exception {
    byte[] body = query(LIMIT + 1).getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> over = post(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
    assertThat(over.statusCode()).as(over.body()).isEqualTo(413);
    assertThat(RouterCluster.JSON.readTree(over.body()).get("error").asText()).isEqualTo("Content Too Large");
  }

  @Test
  void aChunkedBodyIsReadWhole() throws Exception {
    byte[] body = query(150).getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> chunked = post(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
    assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(200);
    assertThat(RouterCluster.JSON.readTree(chunked.body()).get("results").get(0).get("id").asText()).isEqualTo("doc");
  }
}
