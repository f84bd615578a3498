package io.vectorshard.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.testing.RedisShards;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

class RoutingWatcherTest {

  static HostAndPort address(ShardEndpoint endpoint) {
    return new HostAndPort(endpoint.host(), endpoint.port());
  }

  /** Waits for the given value, skipping others; fails after 10 s. */
  static void awaitEpoch(BlockingQueue<Long> reported, long epoch) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      Long next = reported.poll(100, TimeUnit.MILLISECONDS);
      if (next != null && next == epoch) {
        return;
      }
    }
    throw new AssertionError("watcher did not report epoch " + epoch + "; still queued: " + reported);
  }

  static void publish(ShardEndpoint endpoint, long epoch) {
    try (ShardClient shard = new ShardClient(endpoint, RedisShards.ADMIN, Duration.ofSeconds(2), 1)) {
      shard.admin().loadFunctions();
      assertThat(shard.admin().publish(epoch, "{\"epoch\":" + epoch + "}")).isTrue();
    }
  }

  @Test
  void reportsTheEpochPublishedAfterItStarts() throws Exception {
    BlockingQueue<Long> reported = new LinkedBlockingQueue<>();
    try (RedisShards shards = RedisShards.start(1);
        RoutingWatcher watcher = new RoutingWatcher(List.of(address(shards.endpoints().get(0))), RedisShards.ROUTER, reported::add)
            .start()) {
      // -1 means "subscribed; ask the shard for what you missed".
      awaitEpoch(reported, -1);
      RoutingTable table = shards.publish("rag", 3, shards.spec(4)); // through RoutingPublisher
      assertThat(table.epoch()).isEqualTo(3);
      awaitEpoch(reported, 3);
      publish(shards.endpoints().get(0), 4);
      awaitEpoch(reported, 4);
      assertThat(reported).isEmpty();
    }
  }

  @Test
  void usesTheSecondAddressWhenTheFirstIsDead() throws Exception {
    BlockingQueue<Long> reported = new LinkedBlockingQueue<>();
    try (RedisShards shards = RedisShards.start(1)) {
      HostAndPort dead = new HostAndPort("127.0.0.1", RedisShards.freePort());
      try (RoutingWatcher watcher = new RoutingWatcher(List.of(dead, address(shards.endpoints().get(0))), RedisShards.ROUTER,
          reported::add).start()) {
        awaitEpoch(reported, -1);
        publish(shards.endpoints().get(0), 9);
        awaitEpoch(reported, 9);
      }
    }
  }

  /**
   * Closing ends the watcher even while a server that accepted its connection never answers its
   * login: a platform thread blocked in a socket read does not wake for an interrupt.
   */
  @Test
  void closingEndsTheWatcherWhileAServerLeavesItsLoginUnanswered() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      Set<Thread> before = watcherThreads();
      RoutingWatcher watcher = new RoutingWatcher(List.of(new HostAndPort("127.0.0.1", silent.getLocalPort())),
          RedisShards.ROUTER, epoch -> {}).start();
      try (Socket accepted = silent.accept()) { // the watcher is now waiting for its login's answer
        Thread thread = watcherThreads().stream().filter(t -> !before.contains(t)).findFirst().orElseThrow();
        watcher.close();
        thread.join(Duration.ofSeconds(5));
        assertThat(thread.isAlive()).as("the watcher thread after close").isFalse();
      }
    }
  }

  private static Set<Thread> watcherThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("routing-watcher"))
        .collect(Collectors.toSet());
  }

  @Test
  void movesOnWhenItsShardDies() throws Exception {
    BlockingQueue<Long> reported = new LinkedBlockingQueue<>();
    try (RedisShards shards = RedisShards.start(2);
        RoutingWatcher watcher = new RoutingWatcher(
            List.of(address(shards.endpoints().get(0)), address(shards.endpoints().get(1))), RedisShards.ROUTER, reported::add)
            .start()) {
      awaitEpoch(reported, -1);
      publish(shards.endpoints().get(0), 2);
      awaitEpoch(reported, 2);

      shards.server(0).kill();
      awaitEpoch(reported, -1); // resubscribed, necessarily to shard 1
      publish(shards.endpoints().get(1), 5);
      awaitEpoch(reported, 5);
    }
  }
}
