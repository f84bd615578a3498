package io.vectorshard.operator.kubernetes.rebalance;

import java.time.Duration;

/**
 * How long a failed rebalance waits before its next attempt: doubling from {@link #FIRST}, at most
 * {@link #MAX}. A shard that is down for a while is not hammered, and one that is back soon is
 * picked up within seconds.
 */
public final class Backoff {
  static final Duration FIRST = Duration.ofSeconds(5);
  static final Duration MAX = Duration.ofMinutes(5);

  private Backoff() {}

  /** The wait after the {@code failures}-th failure in a row (1 for the first). */
  public static Duration after(int failures) {
    if (failures <= 0) {
      return Duration.ZERO;
    }
    int doublings = Math.min(failures - 1, 16);
    Duration wait = FIRST.multipliedBy(1L << doublings);
    return wait.compareTo(MAX) > 0 ? MAX : wait;
  }
}
