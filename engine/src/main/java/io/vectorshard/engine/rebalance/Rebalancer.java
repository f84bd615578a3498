package io.vectorshard.engine.rebalance;

import io.vectorshard.core.redis.Keys;
import io.vectorshard.core.redis.Keys.BucketKey;
import io.vectorshard.core.redis.ShardClients;
import io.vectorshard.core.redis.ShardMoves;
import io.vectorshard.core.routing.RoutingPublisher;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.routing.Transition;
import io.vectorshard.engine.Inventory;
import io.vectorshard.engine.Move;
import io.vectorshard.engine.RoutingEngine;
import io.vectorshard.engine.TablePlanner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a transition from the live placement to a target one, for both adapters: fence (a table
 * carrying the transition, at a new epoch, on every shard of either placement), plan from what the
 * shards hold, move each bucket (atomically or streamed), check that no key is left off its new
 * home, then publish the target table, which drops the old placement (docs/architecture.md,
 * "Moving data").
 *
 * <p>Everything it needs to continue is on the shards: the transition and each streamed bucket's
 * phase in the routing table, the keys where they are. So a run killed at any point is resumed by
 * the next {@link #run} with the live table, whoever calls it. Transitions are serialized: a run
 * first finishes the transition already in the live table.
 */
public final class Rebalancer {
  private final ShardClients clients;
  private final RoutingPublisher publisher;
  private final Duration stallBudget;
  private final RebalanceListener listener;
  private TransferRates rates;

  /**
   * @param rates what moves cost here, kept across runs by the adapter; null to calibrate on first need
   */
  public Rebalancer(ShardClients clients, Duration stallBudget, TransferRates rates, RebalanceListener listener) {
    this.clients = clients;
    this.publisher = new RoutingPublisher(clients);
    this.stallBudget = stallBudget;
    this.rates = rates;
    this.listener = listener;
  }

  public TransferRates rates() {
    return rates;
  }

  /** Every shard of either table, by ordinal: the target's where it has them, the live table's beyond. */
  public static List<ShardEndpoint> union(RoutingTable live, RoutingTable target) {
    List<ShardEndpoint> all = new ArrayList<>(target.shards());
    for (int i = all.size(); i < live.shards().size(); i++) {
      all.add(live.shards().get(i));
    }
    return List.copyOf(all);
  }

  /**
   * The plan for these moves: each bucket's size on its source, its method (atomic only when the
   * measured MIGRATE rate says its transfer fits the stall budget) and its estimated time. Atomic
   * moves come first, smallest first, so the rate estimate improves before the larger ones.
   * Calibrates the rates with a probe set on the first move's shards when none were measured yet.
   */
  public RebalancePlan plan(RoutingTable live, RoutingTable target, List<Move> moves) {
    List<ShardEndpoint> all = union(live, target);
    if (moves.isEmpty()) {
      return new RebalancePlan(live.placement().shards(), target.placement().shards(), List.of(), stallBudget.toMillis());
    }
    if (rates == null) {
      Move first = moves.get(0);
      rates = TransferRates.calibrate(moves(all, first.from()), moves(all, first.to()), target.vectors());
      listener.note(String.format("measured on shard-%d -> shard-%d: MIGRATE %.0f MB/s, VADD %.0f/s", first.from(), first.to(),
          rates.migrateMegabytesPerSecond(), rates.vaddPerSecond()));
    }
    Map<Integer, List<String>> keysBySource = new LinkedHashMap<>();
    moves.forEach(m -> keysBySource.computeIfAbsent(m.from(), s -> new ArrayList<>()).add(Keys.bucket(m.tenant(), m.bucket())));
    Map<String, Long> bytes = new LinkedHashMap<>();
    keysBySource.forEach((source, keys) -> moves(all, source).bytesOf(keys).forEach((k, b) -> bytes.put(source + "/" + k, b)));
    List<PlannedMove> planned = new ArrayList<>();
    for (Move m : moves) {
      long size = bytes.getOrDefault(m.from() + "/" + Keys.bucket(m.tenant(), m.bucket()), 0L);
      Duration atomic = rates.migrate(size);
      boolean fits = atomic.compareTo(stallBudget) <= 0;
      Duration estimate = fits ? atomic : rates.vadd(m.vectors()).plus(rates.vadd(m.vectors()).dividedBy(4));
      planned.add(new PlannedMove(m, size, fits ? MoveMethod.ATOMIC : MoveMethod.STREAM, Math.max(1, estimate.toMillis())));
    }
    planned.sort(Comparator.comparing(PlannedMove::method).thenComparingLong(PlannedMove::bytes)
        .thenComparing(p -> p.move().tenant()).thenComparingInt(p -> p.move().bucket()));
    return new RebalancePlan(live.placement().shards(), target.placement().shards(), planned, stallBudget.toMillis());
  }

  /**
   * Runs the transition to {@code target} (a table without transition) to its end and returns the
   * table published last. Every shard of both tables must be up. Throws when a shard fails; what
   * was done stays done, and the next run resumes.
   *
   * @param live the table on the shards now, with or without a transition
   */
  public RoutingTable run(RoutingTable live, RoutingTable target) {
    return run(live, target, Optional.empty());
  }

  /**
   * Runs the transition as {@link #run(RoutingTable, RoutingTable)} does, but when it is not
   * started yet only if the shards still call for exactly the {@code approved} plan, whose moves
   * are then the first round's. Throws {@link PlanChanged}, having changed nothing, when they call
   * for another plan. A transition already started is resumed whatever was approved.
   */
  public RoutingTable run(RoutingTable live, RoutingTable target, Optional<RebalancePlan> approved) {
    if (target.transition() != null) {
      throw new IllegalArgumentException("a transition's target has no transition of its own");
    }
    List<ShardEndpoint> all = union(live, target);
    Run run = new Run(all, live);
    // Every shard answers before the fence goes out, so a down shard fences nothing.
    Inventory before = observe(all);
    Optional<RebalancePlan> firstRound = live.transition() == null ? approved : Optional.empty();
    if (firstRound.isPresent()) {
      RebalancePlan now = plan(live, target, TablePlanner.moves(target.placement(), before));
      if (!now.id().equals(firstRound.get().id())) {
        throw new PlanChanged(firstRound.get(), now);
      }
    }
    if (live.transition() == null) {
      // Fence first: every shard has the transition's epoch before any data moves, so no router
      // holding the old table can write anywhere a bucket is leaving.
      RoutingTable fenced = new RoutingTable(target.cluster(), live.epoch() + 1, target.vectors(), all, target.placement(),
          new Transition(live.placement(), List.of()));
      publisher.publishTo(fenced, all);
      run.live = fenced;
      listener.note("transition " + live.placement().shards() + " -> " + target.placement().shards()
          + " shards published at epoch " + fenced.epoch());
    } else {
      publisher.publishTo(live, all); // shards restarted meanwhile get the library and the table back
      listener.note("resuming the transition at epoch " + live.epoch());
    }
    for (int round = 1; ; round++) {
      Inventory inventory = observe(all);
      List<Move> moves = TablePlanner.moves(target.placement(), inventory);
      if (moves.isEmpty()) {
        break;
      }
      if (round > 3) {
        throw new IllegalStateException("after three rounds of moves " + moves.size() + " bucket(s) are still off their new shard, e.g. "
            + moves.get(0));
      }
      RebalancePlan plan = round == 1 && firstRound.isPresent() ? firstRound.get() : plan(run.live, target, moves);
      listener.note("plan: " + plan.summary());
      run.start(plan);
      for (PlannedMove move : plan.moves()) {
        long started = System.nanoTime();
        execute(run, move, inventory);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        run.done(move, took);
        listener.moved(move, took);
      }
    }
    RoutingTable done = new RoutingTable(target.cluster(), run.live.epoch() + 1, target.vectors(), target.shards(),
        target.placement());
    publisher.publishTo(done, all);
    listener.note("transition done: epoch " + done.epoch() + " on " + done.shards().size() + " shards");
    return done;
  }

  /** The shards no longer call for the approved plan; nothing was changed. */
  public static final class PlanChanged extends IllegalStateException {
    private final transient RebalancePlan fresh;

    PlanChanged(RebalancePlan approved, RebalancePlan fresh) {
      super("the cluster changed since plan " + approved.id() + " was approved; it now needs plan " + fresh.id()
          + " (" + fresh.summary() + ")");
      this.fresh = fresh;
    }

    public RebalancePlan fresh() {
      return fresh;
    }
  }

  private Inventory observe(List<ShardEndpoint> all) {
    RoutingEngine.Observation observed = new RoutingEngine(clients).observe(all);
    if (!observed.unreachable().isEmpty()) {
      throw new IllegalStateException("cannot reach " + String.join(", ", observed.unreachable().stream()
          .map(s -> s.endpoint().id() + " (" + s.error().orElse("") + ")").toList()));
    }
    return observed.inventory();
  }

  private void execute(Run run, PlannedMove planned, Inventory inventory) {
    Move m = planned.move();
    String key = Keys.bucket(m.tenant(), m.bucket());
    Transition transition = run.live.transition();
    int source = transition.from().shardOf(m.tenant(), m.bucket());
    if (source != m.from()) {
      // Routers only look for a moving bucket where the old placement put it.
      throw new IllegalStateException("key " + key + " is on shard-" + m.from() + ", which is neither where the old placement put it (shard-"
          + source + ") nor where the new one does (shard-" + m.to() + "); it needs a look by hand");
    }
    ShardMoves from = moves(run.all, m.from());
    ShardMoves to = moves(run.all, m.to());
    List<String> siblings = inventory.buckets().getOrDefault(m.from(), Map.of()).keySet().stream()
        .filter(b -> b.tenant().equals(m.tenant()) && b.bucket() != m.bucket()).map(b -> Keys.bucket(b.tenant(), b.bucket())).toList();
    Optional<Transition.Phase> phase = transition.phaseOf(m.tenant(), m.bucket());
    if (phase.isEmpty() && planned.method() == MoveMethod.ATOMIC && !to.exists(key)) {
      run.current("migrating " + m);
      to.registerTenant(m.tenant()); // before the key arrives: all-tenant searches find it on either shard
      long started = System.nanoTime();
      boolean moved = from.migrate(key, to.endpoint(), stallBudget.multipliedBy(8).plusSeconds(2));
      if (moved) {
        rates.recordMigrate(planned.bytes(), Duration.ofNanos(System.nanoTime() - started));
      }
      from.deleteKey(m.tenant(), key, siblings); // nothing left but vsc:tenants' entry, and its streaming state
      return;
    }
    new StreamingMove(run, planned, key, from, to, siblings, phase).run();
  }

  private ShardMoves moves(List<ShardEndpoint> all, int ordinal) {
    return clients.get(all.get(ordinal)).moves();
  }

  /** The state of one run: the live table as it advances, and progress. */
  final class Run {
    final List<ShardEndpoint> all;
    RoutingTable live;
    private RebalancePlan plan;
    private int movesDone;
    private long vectorsDone;
    private long bytesDone;
    private long estimateDone;
    private long nanosDone;
    private long streamedVectors;
    private Optional<String> current = Optional.empty();
    private Optional<Duration> lastPause = Optional.empty();

    Run(List<ShardEndpoint> all, RoutingTable live) {
      this.all = all;
      this.live = live;
    }

    TransferRates rates() {
      return rates;
    }

    Duration stallBudget() {
      return stallBudget;
    }

    /** Publishes the live table with one streamed bucket in a new phase. */
    void phase(String tenant, int bucket, Transition.Phase phase) {
      live = live.withTransition(live.transition().withPhase(tenant, bucket, phase), live.shards(), live.epoch() + 1);
      publisher.publishStep(live, all);
    }

    void start(RebalancePlan next) {
      plan = next;
      movesDone = 0;
      vectorsDone = 0;
      bytesDone = 0;
      estimateDone = 0;
      nanosDone = 0;
      report();
    }

    void current(String what) {
      current = Optional.of(what);
      report();
    }

    /** Vectors a streamed move has copied so far, for the progress of the move under way. */
    void streamed(long vectors) {
      streamedVectors = vectors;
      report();
    }

    void paused(PlannedMove move, Duration pause) {
      lastPause = Optional.of(pause);
      listener.writePause(move, pause);
    }

    void done(PlannedMove move, Duration took) {
      movesDone++;
      vectorsDone += move.move().vectors();
      bytesDone += move.bytes();
      estimateDone += move.estimatedMillis();
      nanosDone += took.toNanos();
      streamedVectors = 0;
      current = Optional.empty();
      report();
    }

    private void report() {
      long remaining = plan.estimatedMillis() - estimateDone;
      double pace = estimateDone == 0 ? 1 : (nanosDone / 1e6) / estimateDone;
      listener.progress(new RebalanceProgress(movesDone, plan.moves().size(), vectorsDone + streamedVectors, plan.vectors(),
          bytesDone, plan.bytes(), current, Duration.ofMillis((long) (remaining * pace)), lastPause));
    }
  }
}
