package io.vectorshard.engine;

import io.vectorshard.core.redis.Keys;

/**
 * One bucket key that a placement change needs to move from the shard holding it to its new owner.
 * {@code to} is -1 when the tenant's bucket count changes: its elements are then re-bucketed into
 * the keys of the new count (on whichever shards those are) rather than moved as a key.
 *
 * @param buckets the tenant's bucket count the key was written under (part of its name)
 */
public record Move(String tenant, int bucket, int buckets, int from, int to, long vectors) {
  public boolean rebuckets() {
    return to < 0;
  }

  /** The key on the source shard. */
  public String key() {
    return Keys.bucket(tenant, bucket, buckets);
  }

  @Override
  public String toString() {
    return "tenant " + tenant + " bucket " + bucket + (buckets > 1 ? " of " + buckets : "") + " (" + vectors
        + " vectors) shard-" + from + " -> " + (rebuckets() ? "re-bucketed" : "shard-" + to);
  }
}
