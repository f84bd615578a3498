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
   * The spec asks for a table that cannot be published now; the live one stays.
   *
   * @param reason why, for conditions and events
   * @param moves the data that would have to move first (empty for other reasons)
   */
  record Blocked(Reason reason, String message, List<Move> moves) implements TableDecision {}
}
