package io.vectorshard.core.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.testing.RedisShards;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

class ShardClientsTest {
  /** Connections to the server named as vectorshard's. */
  private static long connections(int port) {
    try (Jedis admin = new Jedis("127.0.0.1", port)) {
      return admin.clientList().lines().filter(l -> l.contains(" name=vectorshard ")).count();
    }
  }

  @Test
  void keepsOneClientPerShardAcrossCallsAndClosesThoseOfShardsThatLeft() {
    try (RedisShards shards = RedisShards.start(2); ShardClients clients = new ShardClients(null, Duration.ofSeconds(2))) {
      ShardEndpoint first = shards.endpoints().get(0);
      ShardEndpoint second = shards.endpoints().get(1);
      for (int round = 0; round < 3; round++) {
        clients.get(first).epoch();
        clients.get(second).epoch();
      }
      assertThat(clients.get(first)).isSameAs(clients.get(first));
      assertThat(clients.size()).isEqualTo(2);
      assertThat(connections(first.port())).isEqualTo(1);

      ShardClient leaving = clients.get(second);
      clients.retainOnly(List.of(first));

      assertThat(clients.size()).isEqualTo(1);
      assertThatThrownBy(leaving::epoch).isInstanceOf(RuntimeException.class);
      assertThat(clients.get(first).epoch()).isZero();
      assertThat(clients.authenticatesWith(null)).isTrue();
      assertThat(clients.authenticatesWith("rotated")).isFalse();
    }
  }

  @Test
  void aKeptClientReconnectsAfterItsShardRestarts(@TempDir Path dir) {
    try (RedisShards shards = RedisShards.start(1); ShardClients clients = new ShardClients(null, Duration.ofSeconds(2))) {
      ShardEndpoint shard = shards.endpoints().get(0);
      assertThat(clients.get(shard).epoch()).isZero();

      shards.server(0).kill();
      assertThat(clients.get(shard).ping()).isFalse();
      RedisProcess restarted = RedisProcess.start(shard.port(), dir, false);
      try {
        assertThat(clients.get(shard).ping()).isTrue();
        assertThat(clients.get(shard).epoch()).isZero();
      } finally {
        restarted.kill();
      }
    }
  }
}
