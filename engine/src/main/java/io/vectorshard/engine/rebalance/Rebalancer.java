package io.vectorshard.engine.rebalance;

import io.vectorshard.core.placement.Placement;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
      // Between two shards when any bucket changes shard (MIGRATE's rate is then needed); a plan
      // that only re-buckets may have a single shard, and needs only the VADD rate.
      Move first = moves.stream().filter(m -> !m.rebuckets()).findFirst().orElse(moves.get(0));
      int to = first.rebuckets() ? (first.from() + 1) % all.size() : first.to();
      rates = TransferRates.calibrate(moves(all, first.from()), moves(all, to), target.vectors());
      listener.note(String.format("measured on shard-%d -> shard-%d: MIGRATE %.0f MB/s, VADD %.0f/s", first.from(), to,
          rates.migrateMegabytesPerSecond(), rates.vaddPerSecond()));
    }
    Map<Integer, List<String>> keysBySource = new LinkedHashMap<>();
    moves.forEach(m -> keysBySource.computeIfAbsent(m.from(), s -> new ArrayList<>()).add(m.key()));
    Map<String, Long> bytes = new LinkedHashMap<>();
    keysBySource.forEach((source, keys) -> moves(all, source).bytesOf(keys).forEach((k, b) -> bytes.put(source + "/" + k, b)));
    List<PlannedMove> planned = new ArrayList<>();
    for (Move m : moves) {
      long size = bytes.getOrDefault(m.from() + "/" + m.key(), 0L);
      Duration streamed = rates.vadd(m.vectors()).plus(rates.vadd(m.vectors()).dividedBy(4));
      if (m.rebuckets()) {
        planned.add(new PlannedMove(m, size, MoveMethod.REBUCKET, Math.max(1, streamed.toMillis())));
        continue;
      }
      Duration atomic = rates.migrate(size);
      boolean fits = atomic.compareTo(stallBudget) <= 0;
      Duration estimate = fits ? atomic : streamed;
      planned.add(new PlannedMove(m, size, fits ? MoveMethod.ATOMIC : MoveMethod.STREAM, Math.max(1, estimate.toMillis())));
    }
    planned.sort(Comparator.comparing(PlannedMove::method).thenComparingLong(PlannedMove::bytes)
        .thenComparing(p -> p.move().tenant()).thenComparingInt(p -> p.move().buckets()).thenComparingInt(p -> p.move().bucket()));
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
      RebalancePlan now = plan(live, target, TablePlanner.moves(live.placement(), target.placement(), Optional.empty(), before));
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
      List<Move> moves = TablePlanner.moves(run.live.transition().from(), target.placement(),
          Optional.of(run.live.transition()), inventory);
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
      Set<String> rebucketed = new HashSet<>();
      for (PlannedMove move : plan.moves()) {
        long started = System.nanoTime();
        if (move.method() != MoveMethod.REBUCKET) {
          execute(run, move, inventory);
        } else if (rebucketed.add(move.move().tenant())) {
          rebucket(run, move, target, inventory); // all of the tenant's keys at once: its later moves are then done
        }
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
    String key = m.key();
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
        .filter(b -> b.tenant().equals(m.tenant()) && !Keys.bucket(b).equals(key)).map(Keys::bucket).toList();
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
    StreamingMove.Layout layout = StreamingMove.Layout.bucket(new StreamingMove.Side(from, key), new StreamingMove.Side(to, key), siblings);
    new StreamingMove(run, planned, "streaming " + m, m.tenant(), layout, p -> run.phase(m.tenant(), m.bucket(), p), phase).run();
  }

  /**
   * Re-buckets a tenant: every key of its old count (on the shards the old placement gives them)
   * streamed into the keys of its new count, each element to the key its id hashes to there.
   */
  private void rebucket(Run run, PlannedMove planned, RoutingTable target, Inventory inventory) {
    String tenant = planned.move().tenant();
    Placement old = run.live.transition().from();
    Placement next = target.placement();
    int oldCount = old.bucketsOf(tenant);
    int newCount = next.bucketsOf(tenant);
    inventory.buckets().forEach((shard, keys) -> keys.keySet().forEach(k -> {
      boolean known = k.buckets() == newCount ? next.shardOf(tenant, k.bucket()) == shard
          : k.buckets() == oldCount && old.shardOf(tenant, k.bucket()) == shard;
      if (k.tenant().equals(tenant) && !known) {
        // Routers read and write a re-bucketed tenant only where one of its two placements says.
        throw new IllegalStateException("key " + Keys.bucket(k) + " is on shard-" + shard + ", where neither the old ("
            + oldCount + " buckets) nor the new placement (" + newCount + ") of tenant " + tenant + " puts it; it needs a look by hand");
      }
    }));
    List<StreamingMove.Side> sources = new ArrayList<>();
    for (int b = 0; b < oldCount; b++) {
      sources.add(new StreamingMove.Side(moves(run.all, old.shardOf(tenant, b)), Keys.bucket(tenant, b, oldCount)));
    }
    List<StreamingMove.Side> targets = new ArrayList<>();
    for (int b = 0; b < newCount; b++) {
      targets.add(new StreamingMove.Side(moves(run.all, next.shardOf(tenant, b)), Keys.bucket(tenant, b, newCount)));
    }
    Map<StreamingMove.Side, List<String>> siblings = new LinkedHashMap<>();
    for (StreamingMove.Side source : sources) {
      List<String> others = new ArrayList<>();
      sources.stream().filter(s -> s != source && s.shard().shardId().equals(source.shard().shardId())).forEach(s -> others.add(s.key()));
      targets.stream().filter(t -> t.shard().shardId().equals(source.shard().shardId())).forEach(t -> others.add(t.key()));
      siblings.put(source, others);
    }
    StreamingMove.Layout layout = new StreamingMove.Layout(sources, targets, id -> sources.get(old.bucketOf(tenant, id)),
        id -> targets.get(next.bucketOf(tenant, id)), false, siblings);
    String what = "re-bucketing tenant " + tenant + " from " + oldCount + " to " + newCount + " bucket(s)";
    new StreamingMove(run, planned, what, tenant, layout, p -> run.rebucketPhase(tenant, p),
        run.live.transition().rebucketPhaseOf(tenant)).run();
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

    /** Publishes the live table with one re-bucketed tenant in a new phase. */
    void rebucketPhase(String tenant, Transition.Phase phase) {
      live = live.withTransition(live.transition().withRebucketPhase(tenant, phase), live.shards(), live.epoch() + 1);
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
