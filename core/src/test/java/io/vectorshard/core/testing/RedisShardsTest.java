package io.vectorshard.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The Redis test fixture cleans up after itself: no servers and no directories left behind. */
class RedisShardsTest {
  @Test
  void closeStopsTheServersAndDeletesTheirDirectories() {
    RedisShards shards = RedisShards.start(2);
    Path root = shards.server(0).dir().getParent();
    assertThat(root.getFileName().toString()).startsWith("vsc-test-redis");
    assertThat(shards.server(1).dir()).isDirectory();
    assertThat(shards.server(0).dir().resolve("redis.log")).exists();
    int port = shards.server(1).port();

    shards.close();

    assertThat(shards.server(0).isAlive()).isFalse();
    assertThat(shards.server(1).isAlive()).isFalse();
    assertThat(RedisShards.stalled(port)).as("nothing answers on the port").isTrue();
    assertThat(root).doesNotExist();
  }
}
