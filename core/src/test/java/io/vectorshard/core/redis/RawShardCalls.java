package io.vectorshard.core.redis;

import java.util.function.Function;
import redis.clients.jedis.Jedis;

/**
 * For tests only: runs any command through a client's pooled connections, under its deadline and
 * error translation, for behaviour the product's calls cannot provoke (a command that blocks).
 */
public final class RawShardCalls {
  private RawShardCalls() {}

  public static <T> T call(ShardClient client, Function<Jedis, T> command) {
    return client.connections().call(command);
  }
}
