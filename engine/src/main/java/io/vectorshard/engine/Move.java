package io.vectorshard.engine;

/**
 * One bucket that a placement change needs to move from the shard holding it to its new owner.
 * {@code to} is -1 when the tenant's bucket count changed, so its elements must be re-hashed into
 * other buckets rather than moved as a key.
 */
public record Move(String tenant, int bucket, int from, int to, long vectors) {
  @Override
  public String toString() {
    return "tenant " + tenant + " bucket " + bucket + " (" + vectors + " vectors) shard-" + from + " -> "
        + (to < 0 ? "re-bucketed" : "shard-" + to);
  }
}
