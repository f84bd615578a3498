package io.vectorshard.router.shard;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * How much work of one kind (searches, weighted by their estimated cost) this router runs on each
 * shard at once, in permits. A call that does not fit is not queued: it fails at once, so a burst of heavy queries to one shard cannot pile up
 * threads and connections that the shard's other tenants, and its writes, need. A permit is held
 * until the call itself ends, and past its deadline for as long as the search may still run on
 * Redis (see {@link FanOut#searches}), so the bound counts the work really running on the shard.
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

  /** Takes {@code weight} permits for a call to {@code shard}, if that many are free. */
  boolean tryEnter(String shard, int weight) {
    return byShard.computeIfAbsent(shard, s -> new Semaphore(permits)).tryAcquire(weight);
  }

  /** Gives back the permits of a call that {@link #tryEnter entered}. */
  void leave(String shard, int weight) {
    byShard.get(shard).release(weight);
  }
}
