package io.vectorshard.router.shard;

import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * How much work of one kind (searches, weighted by their estimated cost) this router runs on each
 * shard at once, in permits. A call that does not fit is not queued: it fails at once, so a burst
 * of heavy queries to one shard cannot pile up threads and connections that the shard's other
 * tenants, and its writes, need. A permit is held until the call itself ends, and past its deadline
 * for as long as the search may still run on Redis, so the bound counts the work really running on
 * the shard.
 */
final class ShardBulkhead {
  private final int permits;
  private final Duration abandoned;
  private final Map<String, Semaphore> byShard = new ConcurrentHashMap<>();

  /**
   * @param abandoned how long a call given up on at its deadline is assumed to keep running on
   *     Redis (which cannot cancel a search): its permits come back only then
   */
  ShardBulkhead(int permits, Duration abandoned) {
    this.permits = permits;
    this.abandoned = abandoned;
  }

  int permits() {
    return permits;
  }

  /**
   * {@code call}, holding {@code weight} permits of {@code shard} from now until it ends (and, if it
   * timed out, {@code abandoned} more); empty, taking nothing, when that many are not free.
   */
  <T> Optional<Function<ShardClient, T>> admit(String shard, int weight, Function<ShardClient, T> call) {
    Semaphore semaphore = byShard.computeIfAbsent(shard, s -> new Semaphore(permits));
    if (!semaphore.tryAcquire(weight)) {
      return Optional.empty();
    }
    return Optional.of(client -> {
      try {
        T value = call.apply(client);
        semaphore.release(weight);
        return value;
      } catch (ShardException e) {
        if (e.timeout()) {
          // The router stopped waiting, Redis did not stop searching: the permits stay taken for
          // as long as the search may still run there.
          CompletableFuture.delayedExecutor(abandoned.toMillis(), TimeUnit.MILLISECONDS)
              .execute(() -> semaphore.release(weight));
        } else {
          semaphore.release(weight);
        }
        throw e;
      } catch (RuntimeException e) {
        semaphore.release(weight);
        throw e;
      }
    });
  }
}
