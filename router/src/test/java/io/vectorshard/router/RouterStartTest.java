package io.vectorshard.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorshard.core.redis.ShardCredentials;
import io.vectorshard.core.testing.RedisShards;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

/**
 * {@link RouterServer#start} loads the table and starts HTTP side by side: it returns only when both
 * are done, and when one fails it leaves nothing of the other running. The shard here has no
 * router of its own, so every vectorshard connection it has is one of this test's routers.
 */
class RouterStartTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static RedisShards shards;

  @BeforeAll
  static void start() {
    shards = RedisShards.start(1);
    shards.publish("start", 1, shards.spec(3));
  }

  @AfterAll
  static void stop() {
    shards.close();
  }

  private static RouterConfig config() {
    List<HostAndPort> seeds = shards.endpoints().stream().map(e -> new HostAndPort(e.host(), e.port())).toList();
    return RouterConfig.defaults(seeds).withPort(0).withCredentials(RedisShards.ROUTER);
  }

  private static int shardPort() {
    return shards.endpoints().get(0).port();
  }

  @Test
  void aStartedRouterHasItsTableAndClosingItClosesEveryConnection() throws InterruptedException {
    try (RouterServer router = RouterServer.start(config())) {
      assertThat(router.routing().snapshot()).as("the table is loaded when start returns").isPresent();
      assertThat(router.port()).isPositive();
      assertThat(RedisShards.vectorshardConnections(shardPort())).isNotEmpty();
    }
    // Including the seed's client, which the table's replaced and which waits a while to close.
    assertNoConnectionsLeft();
  }

  @Test
  void aRouterWhosePortIsTakenFailsToStartAndLeavesNoConnectionsBehind() throws IOException, InterruptedException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      RouterConfig config = config().withPort(taken.getLocalPort());
      assertThatThrownBy(() -> RouterServer.start(config)).hasMessageContaining("already in use");
    }
    // The failed router's table load opened connections; closing it closes them.
    assertNoConnectionsLeft();
  }

  /** A router that cannot read its seeds is up but not ready, and says why where an SRE looks. */
  @Test
  void aRouterThatCannotReadItsSeedsSaysWhyItIsNotReady() throws Exception {
    String wrong = "not-the-router-password-" + System.nanoTime();
    RouterConfig config = config().withCredentials(new ShardCredentials(RedisShards.ROUTER.user(), wrong));
    try (RouterServer router = RouterServer.start(config); HttpClient http = HttpClient.newHttpClient()) {
      String base = "http://127.0.0.1:" + router.port();
      HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(503);
      String reason = JSON.readTree(ready.body()).get("reason").asText();
      assertThat(reason).contains("127.0.0.1:" + shardPort()).contains("WRONGPASS").doesNotContain(wrong);
      HttpResponse<String> query = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/tenants/t/query"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"vector\": [1, 0, 0]}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(query.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(query.body()).get("error").asText()).isEqualTo("no routing table yet: " + reason);
    }
  }

  /** Closed clients' connections go within moments; the other test's router is closed too. */
  private static void assertNoConnectionsLeft() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (!RedisShards.vectorshardConnections(shardPort()).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(RedisShards.vectorshardConnections(shardPort())).isEmpty();
  }
}
