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
  STREAM,
  /**
   * A tenant whose bucket count changes: its elements are streamed from the keys of the old count
   * into those of the new one, each to the key its id hashes to, as {@link #STREAM} does for one
   * key (routers write both, verification, a short fence per tenant, removal in budget-sized steps).
   */
  REBUCKET
}
