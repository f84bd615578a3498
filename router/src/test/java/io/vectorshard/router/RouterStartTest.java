package io.vectorshard.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorshard.core.testing.RedisShards;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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

  /** Closed clients' connections go within moments; the other test's router is closed too. */
  private static void assertNoConnectionsLeft() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (!RedisShards.vectorshardConnections(shardPort()).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(RedisShards.vectorshardConnections(shardPort())).isEmpty();
  }
}
