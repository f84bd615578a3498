package io.vectorshard.engine.rebalance;

import io.vectorshard.engine.Move;

/**
 * One bucket of a plan: what moves, its size on the source, how it moves and how long that is
 * expected to take (from {@link TransferRates}, measured on these shards).
 */
public record PlannedMove(Move move, long bytes, MoveMethod method, long estimatedMillis) {
  @Override
  public String toString() {
    return move + ", " + bytes + " bytes, " + method.name().toLowerCase(java.util.Locale.ROOT) + ", ~" + estimatedMillis + " ms";
  }
}
