package io.vectorshard.core.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorshard.api.VectorsSpec;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.routing.VectorSettings;
import io.vectorshard.core.testing.RedisShards;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;

/** Shard failures surface as {@link ShardException}s that name the shard (contract 5). */
class ShardClientFailureTest {
  static final VectorSettings SETTINGS = new VectorSettings(3, VectorsSpec.Quantization.Q8, 16, 200);

  static Consumer<ShardException> namesShard(String id, boolean timeout) {
    return e -> {
      assertThat(e.shard()).isEqualTo(id);
      assertThat(e.getMessage()).contains("shard " + id);
      assertThat(e.timeout()).isEqualTo(timeout);
    };
  }

  @Test
  void killedServerMakesCallsFailNamingTheShard() {
    try (RedisShards shards = RedisShards.start(1);
        ShardClient client = new ShardClient(shards.endpoints().get(0), RedisShards.ADMIN, Duration.ofMillis(500), 2)) {
      client.admin().loadFunctions();
      assertThat(client.ping()).isTrue();
      assertThat(client.epoch()).isZero();

      shards.server(0).kill();
      assertThat(shards.server(0).isAlive()).isFalse();

      // The pooled connection is now broken, and new connections are refused.
      assertThatThrownBy(client::epoch).isInstanceOfSatisfying(ShardException.class, namesShard("shard-0", false));
      assertThatThrownBy(() -> client.upsert(1, "acme", SETTINGS,
          List.of(new ShardClient.Write(Keys.bucket("acme", 0, 1), "a", new float[] {1, 0, 0}, ""))))
          .isInstanceOfSatisfying(ShardException.class, namesShard("shard-0", false));
      assertThatThrownBy(() -> client.query(List.of(Keys.bucket("acme", 0, 1)), new float[] {1, 0, 0}, 10, 100, null))
          .isInstanceOfSatisfying(ShardException.class, namesShard("shard-0", false));
      assertThat(client.ping()).isFalse();
    }
  }

  @Test
  void serverThatWasNeverUpFailsNamingTheShard() {
    ShardEndpoint nowhere = new ShardEndpoint(3, "shard-3", "127.0.0.1", RedisShards.freePort());
    try (ShardClient client = new ShardClient(nowhere, RedisShards.ADMIN, Duration.ofMillis(500), 1)) {
      assertThatThrownBy(client::routingJson).isInstanceOfSatisfying(ShardException.class, namesShard("shard-3", false));
    }
  }

  /**
   * A connect that runs out of time is a timeout, not an unreachable shard: Jedis reports it as
   * "Failed to connect to any host" with the {@code SocketTimeoutException} suppressed, not as its
   * cause. The kernel drops new connections to a listener whose accept queue is full, as it does for
   * a shard too busy to accept, so the connect times out here for real (this is also how a call that
   * finds the pool empty with a millisecond left ends).
   */
  @Test
  void connectThatRunsOutOfTimeIsATimeout() throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket listener = new ServerSocket(0, 1, loopback)) {
      List<Socket> queued = new ArrayList<>();
      try {
        // Fill the accept queue (its length the kernel's choice, a backlog of 1 or 2).
        while (queued.size() < 8) {
          Socket socket = new Socket();
          try {
            socket.connect(new InetSocketAddress(loopback, listener.getLocalPort()), 200);
            queued.add(socket);
          } catch (SocketTimeoutException full) {
            socket.close();
            break;
          }
        }
        assertThat(queued).hasSizeLessThan(8);
        ShardEndpoint busy = new ShardEndpoint(4, "shard-4", loopback.getHostAddress(), listener.getLocalPort());
        try (ShardClient client = new ShardClient(busy, RedisShards.ADMIN, Duration.ofMillis(200), 1)) {
          assertThatThrownBy(client::epoch).isInstanceOfSatisfying(ShardException.class, namesShard("shard-4", true));
        }
      } finally {
        for (Socket socket : queued) {
          socket.close();
        }
      }
    }
  }

  /**
   * A server that stops answering trips the client's deadline. {@code DEBUG SLEEP} would be the
   * obvious way to stall it, but Redis 8 disables DEBUG by default ({@code enable-debug-command
   * no}, which {@link RedisProcess} keeps), so the stall is {@code CLIENT PAUSE 2000 ALL}: every
   * other client's commands wait 2 s, as behind a long-running command.
   */
  @Test
  void stalledServerTripsTheDeadlineAsATimeout() {
    try (RedisShards shards = RedisShards.start(1);
        ShardClient client = new ShardClient(shards.endpoints().get(0), RedisShards.ADMIN, Duration.ofMillis(200), 1);
        Jedis admin = RedisShards.admin("127.0.0.1", shards.server(0).port())) {
      assertThat(admin.configGet("enable-debug-command")).containsEntry("enable-debug-command", "no");
      assertThat(client.epoch()).isZero(); // warms the pool: the next call reuses an open connection

      assertThat(admin.clientPause(2000, ClientPauseMode.ALL)).isEqualTo("OK");
      long start = System.nanoTime();
      assertThatThrownBy(client::epoch).isInstanceOfSatisfying(ShardException.class, namesShard("shard-0", true));
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      // Not a timing test: only that the 200 ms deadline, not the 2 s stall, ended the call.
      assertThat(elapsedMs).isLessThan(1500);

      // A call that has to open a new connection while the server is still stalled times out too.
      assertThatThrownBy(client::epoch).isInstanceOfSatisfying(ShardException.class, namesShard("shard-0", true));
    }
  }

  /**
   * A view with a shorter deadline (a request's timeoutMs) ends its call while the stall, longer than
   * the base client's own 5 s deadline would allow for, still holds; closing the view keeps the
   * shared pool open.
   */
  @Test
  void aShorterDeadlineViewTripsWhileTheServerIsStillStalled() {
    try (RedisShards shards = RedisShards.start(1);
        ShardClient client = new ShardClient(shards.endpoints().get(0), RedisShards.ADMIN, Duration.ofSeconds(5), 1);
        Jedis admin = RedisShards.admin("127.0.0.1", shards.server(0).port())) {
      ShardClient view = client.withTimeout(Duration.ofMillis(200));
      assertThat(view.timeout()).isEqualTo(Duration.ofMillis(200));
      assertThat(client.withTimeout(Duration.ofSeconds(5))).isSameAs(client);
      assertThat(view.epoch()).isZero();

      assertThat(admin.clientPause(3000, ClientPauseMode.ALL)).isEqualTo("OK");
      assertThatThrownBy(view::epoch).isInstanceOfSatisfying(ShardException.class, e -> {
        namesShard("shard-0", true).accept(e);
        assertThat(e.detail()).isEqualTo("timed out after 200 ms");
      });
      assertThat(RedisShards.stalled(shards.server(0).port())).as("the stall outlasted the call").isTrue();

      RedisProcess.awaitPing(shards.server(0).port(), RedisShards.ADMIN, Duration.ofSeconds(10), () -> true);
      view.close();
      assertThat(client.epoch()).as("the base client's pool survives closing the view").isZero();
    }
  }

  @Test
  void nonPositiveDeadlinesAreRefused() {
    try (ShardClient client = new ShardClient(ShardEndpoint.of(0, "127.0.0.1", 1), RedisShards.ADMIN, Duration.ofSeconds(1), 1)) {
      assertThatThrownBy(() -> client.withTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> client.withTimeout(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
