package io.vectorshard.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorshard.router.testing.RawHttp;
import io.vectorshard.router.testing.RawHttp.Raw;
import io.vectorshard.router.testing.RouterCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The router's HTTP layer against requests no well-behaved client sends, over a raw socket: every
 * answer is the documented JSON error, quickly, and nothing is written. Each case checks the
 * shard afterwards.
 */
class HttpProtocolTest {
  private static RouterCluster cluster;

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(1).dimensions(3).start();
    assertThat(cluster.upsert("acme", "doc", new float[] {1, 0, 0}, null).status()).isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static Raw exchange(byte[] request) throws IOException {
    return RawHttp.exchange(cluster.router().port(), request);
  }

  static Raw exchange(String request) throws IOException {
    return exchange(request.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static void assertJsonError(Raw raw, int status, String message) {
    assertThat(raw.status()).as("%s", raw).isEqualTo(status);
    assertThat(raw.headers().get("content-type")).as("%s", raw).startsWith("application/json");
    assertThat(raw.json().get("status").asInt()).isEqualTo(status);
    assertThat(raw.json().get("error").asText()).as("%s", raw).contains(message);
  }

  private static void assertNothingWritten() {
    assertThat(cluster.tenantKeys(0).values().stream().mapToLong(Long::longValue).sum()).isEqualTo(1);
  }

  private static String put(String path, String headers, String body) {
    return "PUT " + path + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n" + body;
  }

  @Test
  void aWrongMethodIs405WithAllow() throws IOException {
    Raw raw = exchange("PATCH /v1/tenants/acme/vectors/doc HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    assertJsonError(raw, 405, "PATCH");
    assertThat(raw.headers().get("allow")).isEqualTo("PUT, GET, DELETE");
    Raw post = exchange("GET /v1/search HTTP/1.1\r\nHost: x\r\n\r\n");
    assertJsonError(post, 405, "GET");
    assertThat(post.headers().get("allow")).isEqualTo("POST");
    // An unknown path is still 404.
    assertJsonError(exchange("GET /v1/nowhere HTTP/1.1\r\nHost: x\r\n\r\n"), 404, "no such route");
  }

  /** The router splits a path at its slashes and decodes each segment itself. */
  @Test
  void pathsMatchRoutesSegmentBySegment() throws IOException {
    assertThat(exchange("GET /v1/tenants/acme/vectors/doc/ HTTP/1.1\r\nHost: x\r\n\r\n").status())
        .as("one trailing slash").isEqualTo(200);
    assertThat(exchange("GET /healthz?probe=1 HTTP/1.1\r\nHost: x\r\n\r\n").status()).as("a query string").isEqualTo(200);
    String body = "{\"vector\": [0, 1, 0]}";
    Raw put = exchange(put("/v1/tenants/acme/vectors/a%2Fb", "Content-Length: " + body.length() + "\r\n", body));
    assertThat(put.status()).as("%s", put).isEqualTo(201);
    try {
      Raw get = exchange("GET /v1/tenants/acme/vectors/a%2Fb HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(get.json().get("id").asText()).as("an encoded slash belongs to its segment").isEqualTo("a/b");
      assertJsonError(exchange("GET /v1/tenants/acme/vectors/a/b HTTP/1.1\r\nHost: x\r\n\r\n"), 404, "no such route");
    } finally {
      assertThat(exchange("DELETE /v1/tenants/acme/vectors/a%2Fb HTTP/1.1\r\nHost: x\r\n\r\n").json()
          .get("deleted").asBoolean()).isTrue();
    }
    assertJsonError(exchange("GET /v1/tenants//vectors/doc HTTP/1.1\r\nHost: x\r\n\r\n"), 404, "no such route");
    // What a client that removes dot segments sends for DELETE .../vectors/..: not a tenant drop.
    assertJsonError(exchange("DELETE /v1/tenants/acme/ HTTP/1.1\r\nHost: x\r\n\r\n"), 404, "no such route");
    assertThat(exchange("GET /v1/tenants/acme/vectors/doc HTTP/1.1\r\nHost: x\r\n\r\n").status()).isEqualTo(200);
  }

  @Test
  void invalidPercentEncodedUtf8InAPathIsRefused() throws IOException {
    String body = "{\"vector\":[1,0,0]}";
    for (String id : new String[] {"%FF", "%FE", "a%C3", "%C3%28", "%ED%A0%80"}) {
      Raw raw = exchange(put("/v1/tenants/acme/vectors/" + id, "Content-Length: " + body.length() + "\r\n", body));
      assertJsonError(raw, 400, "UTF-8");
    }
    assertNothingWritten();
  }

  @Test
  void bodiesThatAreNotUtf8JsonAreRefused() throws IOException {
    String json = "{\"vector\":[1,0,0]}";
    byte[] utf16 = json.getBytes(StandardCharsets.UTF_16BE);
    byte[] utf16le = json.getBytes(StandardCharsets.UTF_16LE);
    for (byte[] body : new byte[][] {utf16, utf16le, withBom(json)}) {
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.writeBytes(("PUT /v1/tenants/acme/vectors/n1 HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length
          + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      request.writeBytes(body);
      assertJsonError(exchange(request.toByteArray()), 400, "UTF-8");
    }
    Raw declared = exchange(put("/v1/tenants/acme/vectors/n1", "Content-Type: application/json; charset=utf-16\r\n"
        + "Content-Length: " + json.length() + "\r\n", json));
    assertJsonError(declared, 415, "UTF-8");
    assertNothingWritten();
  }

  private static byte[] withBom(String json) {
    byte[] utf16 = ("\uFEFF" + json).getBytes(StandardCharsets.UTF_16BE);
    return utf16;
  }

  @Test
  void brokenChunkedFramingAndShortBodiesAre400Quickly() throws IOException {
    Raw chunked = exchange(put("/v1/tenants/acme/vectors/n2", "Transfer-Encoding: chunked\r\n",
        "5\r\n{\"vec\r\nzz\r\ntor\":[1,0,0]}\r\n0\r\n\r\n"));
    assertJsonError(chunked, 400, "body");
    // Declared 100 bytes, sent 18, then the client stops sending (its side of the socket closed).
    Raw shortBody = exchange(put("/v1/tenants/acme/vectors/n3", "Content-Length: 100\r\n", "{\"vector\":[1,0,0]}"));
    assertJsonError(shortBody, 400, "body");
    assertThat(shortBody.millis()).as("answered at once, not after an idle timeout").isLessThan(5_000);
    assertNothingWritten();
  }

  @Test
  void aContentLengthBeyondTwoToThe31IsRefusedUpFront() throws IOException {
    Raw raw = exchange(put("/v1/tenants/acme/vectors/n4", "Content-Length: 3000000000\r\n", "{}"));
    assertJsonError(raw, 413, "Content Too Large");
    assertNothingWritten();
  }

  @Test
  void theHttpLayersOwnErrorsAreJsonToo() throws IOException {
    // A header line without a colon and an over-long URI: refused by Jetty's parser before any route.
    assertJsonError(exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"), 400, "");
    assertJsonError(exchange("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414, "");
  }
}
