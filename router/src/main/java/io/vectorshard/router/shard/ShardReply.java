package io.vectorshard.router.shard;

import io.vectorshard.core.routing.ShardEndpoint;

/**
 * What one shard call of a {@link FanOut} came to: a value, or the failure. A failure past the
 * deadline or of the connection is a {@link io.vectorshard.core.redis.ShardException} naming the
 * shard; other failures (a STALE reply, a filter syntax error) keep their own type so the caller can
 * decide what they mean.
 */
public record ShardReply<T>(ShardEndpoint shard, T value, RuntimeException failure) {
  public static <T> ShardReply<T> of(ShardEndpoint shard, T value) {
    return new ShardReply<>(shard, value, null);
  }

  public static <T> ShardReply<T> failed(ShardEndpoint shard, RuntimeException failure) {
    return new ShardReply<>(shard, null, failure);
  }

  public boolean ok() {
    return failure == null;
  }
}
