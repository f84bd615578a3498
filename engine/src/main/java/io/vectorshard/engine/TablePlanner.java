package io.vectorshard.engine;

import io.vectorshard.core.placement.Placement;
import io.vectorshard.core.redis.Keys.BucketKey;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.VectorSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether the table the spec asks for may replace the live one. Pure: the Kubernetes
 * reconciler and local mode call it with what they observed, and tests call it with anything.
 *
 * <p>A new table is published at once when no bucket holding vectors would end up on a shard other
 * than the one holding it; otherwise the data must move first ({@link TableDecision.Rebalance}).
 * Vector settings change only on an empty cluster, and a tenant's bucket count only while it
 * holds no vectors (re-bucketing elements is not built).
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
      return new TableDecision.Rebalance(running, moves(running.placement(), inventory), true);
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
    List<Move> rebucketed = new ArrayList<>(moves.stream().filter(m -> m.to() < 0).toList());
    live.ifPresent(l -> rebucketed.addAll(countChanges(l.placement(), desired.placement(), inventory)));
    if (!rebucketed.isEmpty()) {
      return new TableDecision.Blocked(Reason.RebalanceRequired, "the bucket count of tenant(s) holding vectors would change ("
          + String.join("; ", rebucketed.stream().limit(MOVES_SHOWN).map(Move::toString).toList())
          + (rebucketed.size() > MOVES_SHOWN ? "; ..." : "")
          + "); re-bucketing a tenant's elements is not available yet, so the current routing table stays. "
          + "Drop the tenant's data first, or keep its spread", rebucketed);
    }
    if (!moves.isEmpty()) {
      return new TableDecision.Rebalance(desired.withEpoch(liveEpoch + 1), moves, false);
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
   * Buckets of tenants holding vectors whose bucket count changes while every bucket stays in range
   * (1 -> 2, say): their elements would hash to other buckets, so each is a re-bucketing move.
   */
  private static List<Move> countChanges(Placement live, Placement desired, Inventory inventory) {
    List<Move> moves = new ArrayList<>();
    inventory.buckets().forEach((shard, buckets) -> buckets.forEach((key, vectors) -> {
      if (vectors > 0 && live.bucketsOf(key.tenant()) != desired.bucketsOf(key.tenant())
          && key.bucket() < desired.bucketsOf(key.tenant())) {
        moves.add(new Move(key.tenant(), key.bucket(), shard, -1, vectors));
      }
    }));
    return moves;
  }

  /** Every bucket holding vectors that the placement would put elsewhere. */
  public static List<Move> moves(Placement target, Inventory inventory) {
    List<Move> moves = new ArrayList<>();
    for (Map.Entry<Integer, Map<BucketKey, Long>> shard : inventory.buckets().entrySet()) {
      int from = shard.getKey();
      for (Map.Entry<BucketKey, Long> bucket : shard.getValue().entrySet()) {
        BucketKey key = bucket.getKey();
        if (bucket.getValue() == 0) {
          continue;
        }
        if (key.bucket() >= target.bucketsOf(key.tenant())) {
          moves.add(new Move(key.tenant(), key.bucket(), from, -1, bucket.getValue()));
        } else if (target.shardOf(key.tenant(), key.bucket()) != from) {
          moves.add(new Move(key.tenant(), key.bucket(), from, target.shardOf(key.tenant(), key.bucket()), bucket.getValue()));
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
