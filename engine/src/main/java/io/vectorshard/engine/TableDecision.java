package io.vectorshard.engine;

import io.vectorshard.core.routing.RoutingTable;
import java.util.List;

/** What to do with the routing table, decided by {@link TablePlanner} without touching anything. */
public sealed interface TableDecision {
  /** The live table already says what the spec says. */
  record Unchanged(RoutingTable table) implements TableDecision {}

  /** Publish this table (its epoch is already one above the live one). */
  record Publish(RoutingTable table, String why) implements TableDecision {}

  /**
   * Data must move before the spec's table can be live: a transition from the live placement to
   * {@code target}'s, with these moves (as found on the shards). When {@code resuming}, a transition
   * to {@code target} is already in the live table (an engine restarted mid-way, or a spec that
   * changed again meanwhile: the running transition finishes first, then the next is planned).
   */
  record Rebalance(RoutingTable target, List<Move> moves, boolean resuming) implements TableDecision {
    /** How many buckets and vectors move, and the first few moves. */
    public String describe() {
      long vectors = moves.stream().mapToLong(Move::vectors).sum();
      return moves.size() + " bucket(s) holding " + vectors + " vectors must move ("
          + String.join("; ", moves.stream().limit(3).map(Move::toString).toList()) + (moves.size() > 3 ? "; ..." : "") + ")";
    }
  }

  /**
   * The spec asks for a table that cannot be published now; the live one stays.
   *
   * @param reason why, for conditions and events
   * @param moves the data that would have to move first (empty for other reasons)
   */
  record Blocked(Reason reason, String message, List<Move> moves) implements TableDecision {}
}
