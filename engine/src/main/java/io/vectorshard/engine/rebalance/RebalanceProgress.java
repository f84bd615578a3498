package io.vectorshard.engine.rebalance;

import java.time.Duration;
import java.util.Optional;

/**
 * How far a transition has come, as reported to status, metrics and progress bars.
 *
 * @param current the move under way and its step, when one is
 * @param eta the plan's remaining estimate, scaled by how the moves so far compared with theirs
 * @param lastWritePause the write pause of the latest streamed bucket's switch, once there was one
 */
public record RebalanceProgress(int movesDone, int movesTotal, long vectorsMoved, long vectorsTotal, long bytesMoved,
    long bytesTotal, Optional<String> current, Duration eta, Optional<Duration> lastWritePause) {

  public String line() {
    return movesDone + "/" + movesTotal + " moves, " + vectorsMoved + "/" + vectorsTotal + " vectors, "
        + bytesMoved / 1024 + "/" + bytesTotal / 1024 + " KiB, ETA " + Math.max(0, eta.toSeconds()) + " s"
        + lastWritePause.map(p -> ", last write pause " + p.toMillis() + " ms").orElse("")
        + current.map(c -> " | " + c).orElse("");
  }
}
