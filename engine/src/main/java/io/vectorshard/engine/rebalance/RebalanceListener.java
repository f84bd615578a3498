package io.vectorshard.engine.rebalance;

import java.time.Duration;

/**
 * What a running transition tells its adapter: progress for status and progress bars, and the
 * events an operator wants in the record (metrics are fed from the same calls).
 */
public interface RebalanceListener {
  RebalanceListener NONE = new RebalanceListener() {};

  default void progress(RebalanceProgress progress) {}

  /** A move finished. */
  default void moved(PlannedMove move, Duration took) {}

  /** A streamed bucket switched shards; {@code pause} is how long its writes were fenced. */
  default void writePause(PlannedMove move, Duration pause) {}

  /** Something worth a line in a log or an event: the fence, the final table, a retry. */
  default void note(String message) {}
}
