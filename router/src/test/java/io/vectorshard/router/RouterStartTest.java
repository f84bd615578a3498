package io.vectorshard.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.router.testing.RouterCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

/**
 * {@link RouterServer#start} loads the table and starts HTTP side by side: it returns only when both
 * are done, and when one fails it leaves nothing of the other running.
 */
class RouterStartTest {
  private static RouterCluster cluster;

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(1).dimensions(3).start();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static RouterConfig config() {
    List<HostAndPort> seeds = cluster.shards().endpoints().stream().map(e -> new HostAndPort(e.host(), e.port())).toList();
    return RouterConfig.defaults(seeds).withPort(0).withCredentials(RedisShards.ROUTER);
  }

  private static int shardPort() {
    return cluster.shards().endpoints().get(0).port();
  }

  @Test
  void aStartedRouterHasItsTableAndServes() {
    try (RouterServer router = RouterServer.start(config())) {
      assertThat(router.routing().snapshot()).as("the table is loaded when start returns").isPresent();
      assertThat(router.port()).isPositive();
    }
  }

  @Test
  void aRouterWhosePortIsTakenFailsToStartAndLeavesNoConnectionsBehind() throws InterruptedException {
    List<String> before = RedisShards.vectorshardConnections(shardPort());
    RouterConfig taken = config().withPort(cluster.router().port());
    assertThatThrownBy(() -> RouterServer.start(taken)).hasMessageContaining("already in use");
    // The failed router's table load opened connections; closing it closes them, while the
    // cluster's own router may close idle ones of its own meanwhile.
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!before.containsAll(RedisShards.vectorshardConnections(shardPort())) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(before).containsAll(RedisShards.vectorshardConnections(shardPort()));
  }
}
