package io.vectorshard.engine;

import io.vectorshard.core.placement.Placement;
import io.vectorshard.core.redis.Keys.BucketKey;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.Transition;
import io.vectorshard.core.routing.VectorSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides whether the table the spec asks for may replace the live one. Pure: the Kubernetes
 * reconciler and local mode call it with what they observed, and tests call it with anything.
 *
 * <p>A new table is published at once when no bucket holding vectors would end up on a shard other
 * than the one holding it; otherwise the data must move first ({@link TableDecision.Rebalance}).
 * Vector settings change only on an empty cluster. A tenant's bucket count changes through
 * {@code spec.placement.spread} by re-bucketing its elements; a change of the default count is
 * refused while tenants it covers hold vectors.
 */
public final class TablePlanner {
  /** How many moves a blocked decision's message names; the full list stays in the decision. */
  private static final int MOVES_SHOWN = 3;

  private TablePlanner() {}

  /**
   * @param desired the table the spec asks for; its epoch is ignored
   * @param live the table on the shards, if any
   * @param inventory what the shards hold
   */
  public static TableDecision decide(RoutingTable desired, Optional<RoutingTable> live, Inventory inventory) {
    long liveEpoch = live.map(RoutingTable::epoch).orElse(0L);
    if (live.isPresent() && live.get().transition() != null) {
      // Transitions are serialized: the running one finishes first, whatever the spec says now.
      RoutingTable running = targetOf(live.get());
      Transition transition = live.get().transition();
      return new TableDecision.Rebalance(running,
          moves(transition.from(), running.placement(), Optional.of(transition), inventory), true);
    }
    if (live.isPresent() && live.get().equals(desired.withEpoch(liveEpoch))) {
      return new TableDecision.Unchanged(live.get());
    }
    if (live.isPresent() && !storageCompatible(live.get().vectors(), desired.vectors()) && inventory.totalVectors() > 0) {
      return new TableDecision.Blocked(Reason.VectorSettingsChanged, "spec.vectors changes " + live.get().vectors()
          + " to " + desired.vectors() + " but the cluster holds " + inventory.totalVectors()
          + " vectors; dimensions, quantization and m can only change on an empty cluster", List.of());
    }
    List<Move> moves = moves(desired.placement(), inventory);
    if (live.isPresent()) {
      List<Move> unlisted = rebucketedByDefault(live.get().placement(), desired.placement(), moves);
      if (!unlisted.isEmpty()) {
        return new TableDecision.Blocked(Reason.RebalanceRequired, "spec.placement.defaultBuckets changes from "
            + live.get().placement().defaultBuckets() + " to " + desired.placement().defaultBuckets()
            + ", which would re-bucket every tenant not listed in spec.placement.spread, and these hold vectors: "
            + String.join("; ", unlisted.stream().limit(MOVES_SHOWN).map(Move::toString).toList())
            + (unlisted.size() > MOVES_SHOWN ? "; ..." : "") + ". Re-bucket tenants one by one through "
            + "spec.placement.spread (keeping defaultBuckets), or change defaultBuckets on an empty cluster", unlisted);
      }
    }
    if (!moves.isEmpty()) {
      RoutingTable target = desired.withEpoch(liveEpoch + 1);
      Placement from = live.map(RoutingTable::placement).orElse(target.placement());
      return new TableDecision.Rebalance(target, moves(from, target.placement(), Optional.empty(), inventory), false);
    }
    String why = live.isEmpty() ? "first table" : describeChange(live.get(), desired);
    return new TableDecision.Publish(desired.withEpoch(liveEpoch + 1), why);
  }

  /** Where a table with a transition is going: its placement, on the shards that placement has. */
  public static RoutingTable targetOf(RoutingTable table) {
    return new RoutingTable(table.cluster(), table.epoch(), table.vectors(),
        table.shards().subList(0, table.placement().shards()), table.placement());
  }

  /**
   * Re-bucketings caused by a change of the default bucket count, of tenants spread lists in
   * neither placement. They are refused: a transition must fence every re-bucketed tenant before
   * it ends (see {@link #moves(Placement, Placement, Optional, Inventory)}), and the tenants the
   * default covers are not known in advance (any new one may write meanwhile).
   */
  private static List<Move> rebucketedByDefault(Placement live, Placement desired, List<Move> moves) {
    return moves.stream().filter(m -> m.rebuckets() && !live.spread().containsKey(m.tenant())
        && !desired.spread().containsKey(m.tenant())).toList();
  }

  /**
   * Every move a transition from {@code from} to {@code target} still needs: the buckets holding
   * vectors that are off their new shard or under their tenant's old bucket count, and a move for
   * each tenant whose count changes and which has not switched yet even when it holds nothing,
   * since each such tenant is fenced and switched before the transition ends: a write that reached
   * its old count's keys just before would be lost otherwise.
   *
   * @param running the transition in the live table, with the re-bucketed tenants' phases
   */
  public static List<Move> moves(Placement from, Placement target, Optional<Transition> running, Inventory inventory) {
    List<Move> moves = new ArrayList<>(moves(target, inventory));
    Set<String> named = new TreeSet<>(from.spread().keySet());
    named.addAll(target.spread().keySet());
    for (String tenant : named) {
      boolean changes = from.bucketsOf(tenant) != target.bucketsOf(tenant);
      boolean switched = running.flatMap(t -> t.rebucketPhaseOf(tenant)).orElse(null) == Transition.Phase.SWITCHED;
      if (changes && !switched && moves.stream().noneMatch(m -> m.rebuckets() && m.tenant().equals(tenant))) {
        moves.add(new Move(tenant, 0, from.bucketsOf(tenant), from.shardOf(tenant, 0), -1, 0));
      }
    }
    return moves;
  }

  /** Every bucket key holding vectors that the placement would put elsewhere, or under another count. */
  public static List<Move> moves(Placement target, Inventory inventory) {
    List<Move> moves = new ArrayList<>();
    for (Map.Entry<Integer, Map<BucketKey, Long>> shard : inventory.buckets().entrySet()) {
      int from = shard.getKey();
      for (Map.Entry<BucketKey, Long> bucket : shard.getValue().entrySet()) {
        BucketKey key = bucket.getKey();
        if (bucket.getValue() == 0) {
          continue;
        }
        if (key.buckets() != target.bucketsOf(key.tenant())) {
          moves.add(new Move(key.tenant(), key.bucket(), key.buckets(), from, -1, bucket.getValue()));
        } else if (target.shardOf(key.tenant(), key.bucket()) != from) {
          moves.add(new Move(key.tenant(), key.bucket(), key.buckets(), from, target.shardOf(key.tenant(), key.bucket()),
              bucket.getValue()));
        }
      }
    }
    return moves;
  }

  /**
   * Existing vector sets fix their dimensions, quantization and M (VADD fails on a mismatch); the
   * build-time EF is a per-call option, so it may change at any time.
   */
  private static boolean storageCompatible(VectorSettings live, VectorSettings desired) {
    return live.dimensions() == desired.dimensions() && live.quantization() == desired.quantization()
        && live.m() == desired.m();
  }

  private static String describeChange(RoutingTable live, RoutingTable desired) {
    List<String> changes = new ArrayList<>();
    if (live.shards().size() != desired.shards().size()) {
      changes.add("shards " + live.shards().size() + " -> " + desired.shards().size());
    } else if (!live.shards().equals(desired.shards())) {
      changes.add("shard endpoints");
    }
    Placement a = live.placement();
    Placement b = desired.placement();
    if (a.defaultBuckets() != b.defaultBuckets() || !a.pinned().equals(b.pinned()) || !a.spread().equals(b.spread())) {
      changes.add("placement");
    }
    if (!live.vectors().equals(desired.vectors())) {
      changes.add("vector settings");
    }
    return changes.isEmpty() ? "table changed" : String.join(", ", changes);
  }
}
