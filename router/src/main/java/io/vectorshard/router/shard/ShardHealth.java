package io.vectorshard.router.shard;

import io.vectorshard.core.redis.ShardException;
import io.vectorshard.router.metrics.RouterMetrics;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether each shard answers, as the router's calls find it, so a shard's outage is logged once when
 * it starts and once when it ends, not once per request: a shard loading its dataset after a restart
 * fails hundreds of requests, each already answered 503 naming the shard. Timeouts and the router's
 * own bulkhead do not change the state: they follow from each request's deadline and this router's
 * load, and say nothing about the shard.
 */
final class ShardHealth {
  private static final Logger LOG = LoggerFactory.getLogger(ShardHealth.class);
  private static final Optional<ShardException.Reason> ANSWERS = Optional.empty();

  private final RouterMetrics metrics;
  /** Shard id to why it does not answer; empty while it does. Absent: not called yet, taken as answering. */
  private final Map<String, Optional<ShardException.Reason>> states = new ConcurrentHashMap<>();

  ShardHealth(RouterMetrics metrics) {
    this.metrics = metrics;
  }

  /** Records what one call to {@code shard} found: a value, or the failure it ended with. */
  void observe(String shard, Throwable failure) {
    if (failure instanceof ShardException e) {
      if (e.reason() != ShardException.Reason.TIMEOUT && e.reason() != ShardException.Reason.OVERLOADED) {
        change(shard, Optional.of(e.reason()), e.detail());
      }
    } else if (states.get(shard) != ANSWERS) {
      // Any other failure (a stale epoch, a filter error) is an answer from the shard too.
      change(shard, ANSWERS, null);
    }
  }

  private void change(String shard, Optional<ShardException.Reason> now, String detail) {
    Optional<ShardException.Reason> before = states.put(shard, now);
    if (before == null) {
      before = ANSWERS;
    }
    if (before.equals(now)) {
      return;
    }
    metrics.shardState(shard, now.map(ShardException.Reason::label));
    if (now.isPresent()) {
      // The detail is Redis's error reply or the connection's error: never a payload or a password.
      LOG.warn("shard {} {}: {}; its requests answer 503 until it recovers", shard, now.get().description(), detail);
    } else {
      LOG.info("shard {} answers again (before, it {})", shard, before.get().description());
    }
  }
}
