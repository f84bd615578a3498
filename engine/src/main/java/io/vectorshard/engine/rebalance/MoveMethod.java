package io.vectorshard.engine.rebalance;

/** How a bucket moves between shards. */
public enum MoveMethod {
  /**
   * {@code MIGRATE}: one step, the key leaves its source at once; the source is blocked for the
   * whole transfer, so only for buckets whose estimated transfer fits the stall budget.
   */
  ATOMIC,
  /**
   * Copy while routers write to both shards, verify, switch with a short write fence, then remove
   * the source in budget-sized steps: no step blocks a shard for longer than the budget.
   */
  STREAM
}
