package io.vectorshard.engine;

import io.vectorshard.core.redis.Keys.BucketKey;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which buckets hold data on which shard, as found on the shards themselves (not as the routing
 * table claims). Placement changes are judged against this, so no change can strand data.
 *
 * @param buckets per shard ordinal, the number of vectors in each bucket key found there
 */
public record Inventory(Map<Integer, Map<BucketKey, Long>> buckets) {
  public Inventory {
    buckets = Map.copyOf(new TreeMap<>(buckets));
  }

  public static Inventory empty() {
    return new Inventory(Map.of());
  }

  public long vectorsOn(int ordinal) {
    return buckets.getOrDefault(ordinal, Map.of()).values().stream().mapToLong(Long::longValue).sum();
  }

  public int tenantsOn(int ordinal) {
    return (int) buckets.getOrDefault(ordinal, Map.of()).keySet().stream().map(BucketKey::tenant).distinct().count();
  }

  public long totalVectors() {
    return buckets.keySet().stream().mapToLong(this::vectorsOn).sum();
  }
}
