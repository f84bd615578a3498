package io.vectorshard.engine.rebalance;

import java.util.List;

/**
 * Which buckets move where, how, and what that costs, for a transition from {@code fromShards} to
 * {@code toShards} shards. Built from what the shards hold, so two plans of the same cluster state
 * are equal; an approval names a plan, and a cluster that changed since gets a fresh one.
 */
public record RebalancePlan(int fromShards, int toShards, List<PlannedMove> moves, long stallBudgetMillis) {
  public RebalancePlan {
    moves = List.copyOf(moves);
  }

  public long vectors() {
    return moves.stream().mapToLong(m -> m.move().vectors()).sum();
  }

  public long bytes() {
    return moves.stream().mapToLong(PlannedMove::bytes).sum();
  }

  public long estimatedMillis() {
    return moves.stream().mapToLong(PlannedMove::estimatedMillis).sum();
  }

  public long count(MoveMethod method) {
    return moves.stream().filter(m -> m.method() == method).count();
  }

  public String summary() {
    return moves.size() + " bucket(s), " + vectors() + " vectors, " + bytes() + " bytes (" + count(MoveMethod.ATOMIC)
        + " atomic, " + count(MoveMethod.STREAM) + " streamed), about " + (estimatedMillis() + 999) / 1000 + " s";
  }
}
