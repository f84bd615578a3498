package io.vectorshard.engine;

import io.vectorshard.core.redis.Keys.BucketKey;
import io.vectorshard.core.routing.ShardEndpoint;
import java.util.Map;
import java.util.Optional;

/**
 * One shard as seen over Redis. When {@code error} is present the shard could not be read and the
 * other fields are empty.
 */
public record ShardObservation(ShardEndpoint endpoint, long epoch, Optional<String> routingJson,
    Map<BucketKey, Long> buckets, long usedMemoryBytes, Optional<String> error) {

  public static ShardObservation unreachable(ShardEndpoint endpoint, String error) {
    return new ShardObservation(endpoint, 0, Optional.empty(), Map.of(), 0, Optional.of(error));
  }

  public boolean reachable() {
    return error.isEmpty();
  }

  public long vectors() {
    return buckets.values().stream().mapToLong(Long::longValue).sum();
  }

  public int tenants() {
    return (int) buckets.keySet().stream().map(BucketKey::tenant).distinct().count();
  }
}
