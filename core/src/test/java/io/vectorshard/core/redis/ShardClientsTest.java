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

class ShardClientsTest {
  @Test
  void keepsOneClientPerShardAcrossCallsAndClosesThoseOfShardsThatLeft() {
    try (RedisShards shards = RedisShards.start(2); ShardClients clients = new ShardClients(RedisShards.ADMIN, Duration.ofSeconds(2))) {
      ShardEndpoint first = shards.endpoints().get(0);
      ShardEndpoint second = shards.endpoints().get(1);
      for (int round = 0; round < 3; round++) {
        clients.get(first).epoch();
        clients.get(second).epoch();
      }
      assertThat(clients.get(first)).isSameAs(clients.get(first));
      assertThat(clients.size()).isEqualTo(2);
      assertThat(RedisShards.vectorshardConnections(first.port())).hasSize(1);

      ShardClient leaving = clients.get(second);
      clients.retainOnly(List.of(first));

      assertThat(clients.size()).isEqualTo(1);
      assertThat(RedisShards.vectorshardConnections(second.port())).isEmpty();
      assertThatThrownBy(leaving::epoch).isInstanceOf(IllegalStateException.class); // closed
      assertThat(clients.get(first).epoch()).isZero();
      assertThat(clients.authenticatesAs(RedisShards.ADMIN)).isTrue();
      assertThat(clients.authenticatesAs(ShardCredentials.admin("rotated"))).isFalse();
    }
  }

  @Test
  void aKeptClientReconnectsAfterItsShardRestarts(@TempDir Path dir) {
    try (RedisShards shards = RedisShards.start(1); ShardClients clients = new ShardClients(RedisShards.ADMIN, Duration.ofSeconds(2))) {
      ShardEndpoint shard = shards.endpoints().get(0);
      assertThat(clients.get(shard).epoch()).isZero();

      shards.server(0).kill();
      RedisProcess restarted = RedisShards.start(shard.port(), dir);
      try {
        // The pooled connection died with the old process; the first call must not fail on it.
        assertThat(clients.get(shard).epoch()).isZero();
      } finally {
        restarted.kill();
      }
    }
  }
}
