package io.vectorshard.router.shard;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * How many calls of one kind (searches) this router runs on each shard at once. A call over the
 * bound is not queued: it fails at once, so a burst of heavy queries to one shard cannot pile up
 * threads and connections that the shard's other tenants, and its writes, need. A permit is held
 * until the call itself ends (at the latest its socket timeout), not until its request gave up, so
 * the bound counts the work really running on the shard.
 */
final class ShardBulkhead {
  private final int permits;
  private final Map<String, Semaphore> byShard = new ConcurrentHashMap<>();

  ShardBulkhead(int permits) {
    this.permits = permits;
  }

  int permits() {
    return permits;
  }

  /** Takes a permit for a call to {@code shard}, if one is free. */
  boolean tryEnter(String shard) {
    return byShard.computeIfAbsent(shard, s -> new Semaphore(permits)).tryAcquire();
  }

  /** Gives back the permit of a call that {@link #tryEnter entered}. */
  void leave(String shard) {
    byShard.get(shard).release();
  }
}
