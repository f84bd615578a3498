package io.vectorshard.operator.kubernetes.rebalance;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.vectorshard.api.RebalanceSpec;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.core.redis.ShardClients;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.engine.Reason;
import io.vectorshard.engine.TableDecision;
import io.vectorshard.engine.rebalance.PlannedMove;
import io.vectorshard.engine.rebalance.RebalanceListener;
import io.vectorshard.engine.rebalance.RebalancePlan;
import io.vectorshard.engine.rebalance.RebalanceProgress;
import io.vectorshard.engine.rebalance.Rebalancer;
import io.vectorshard.operator.kubernetes.ClusterEvents;
import io.vectorshard.operator.kubernetes.OperatorMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's rebalances: decides, for a cluster whose spec needs data moved, whether to show a
 * plan, start moving, or wait (approval, backoff), and runs the moves in the background so a
 * reconcile never blocks for the minutes a large bucket takes. The reconciler asks {@link #running}
 * first and, while an attempt runs, leaves the shards to it (no sync, no other publish).
 *
 * <p>The engine's {@link Rebalancer} does the moving; everything it needs to resume is on the shards,
 * so an attempt stopped anywhere (an error, an operator restart, a lost lease) is continued by the
 * next one.
 */
public final class Rebalances implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Rebalances.class);

  private final Map<ResourceID, ClusterRebalance> clusters = new ConcurrentHashMap<>();
  private final ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().name("vsc-rebalance-", 0)
      .daemon(true).factory());
  private final OperatorMetrics metrics;
  private final Clock clock;

  public Rebalances(OperatorMetrics metrics, Clock clock) {
    this.metrics = metrics;
    this.clock = clock;
  }

  /** The view of the attempt running for this cluster, if one is. */
  public Optional<RebalanceView> running(VectorShardCluster vsc) {
    return state(vsc).running().map(RebalanceView::running);
  }

  /** The attempt running, else the last one's failure while it is retried: what to show when the shards cannot be read. */
  public Optional<RebalanceView> known(VectorShardCluster vsc) {
    ClusterRebalance state = state(vsc);
    return state.running().map(RebalanceView::running)
        .or(() -> state.failure().filter(f -> !f.planChanged()).map(f -> RebalanceView.retrying(f, clock.instant())));
  }

  /**
   * What to do about a spec whose placement needs data moved, the shards all being up.
   *
   * @param live the table on the shards now (with the transition when one is under way)
   */
  public RebalanceView decide(VectorShardCluster vsc, TableDecision.Rebalance rebalance, RoutingTable live, ShardClients clients,
      KubernetesClient client) {
    ResourceID id = ResourceID.fromResource(vsc);
    ClusterRebalance state = state(vsc);
    Instant now = clock.instant();
    Optional<ClusterRebalance.Failure> failure = state.failure();
    if (failure.isPresent() && !failure.get().planChanged() && now.isBefore(failure.get().nextAttemptAt())) {
      return RebalanceView.retrying(failure.get(), now);
    }
    Duration budget = Duration.ofMillis(vsc.getSpec().getRebalance().getStallBudgetMs());
    Rebalancer planner = new Rebalancer(clients, budget, state.rates(), RebalanceListener.NONE);
    RebalancePlan plan = planner.plan(live, rebalance.target(), rebalance.moves());
    state.rates(planner.rates());
    ClusterEvents events = new ClusterEvents(client);
    String cluster = vsc.getMetadata().getName();
    if (rebalance.resuming()) {
      // Approved when it started: its fence is out, and finishing it is the only way forward.
      start(vsc, id, state, clients, live, rebalance.target(), Optional.empty(), events, "resuming the transition at epoch "
          + live.epoch() + ": " + plan.summary());
      return running(vsc).orElseGet(() -> RebalanceView.pending(cluster, plan, Optional.empty()));
    }
    if (vsc.getSpec().getRebalance().getApproval() == RebalanceSpec.Approval.AUTO) {
      start(vsc, id, state, clients, live, rebalance.target(), Optional.of(plan), events, "plan " + plan.id() + ": " + plan.summary());
      return running(vsc).orElseGet(() -> RebalanceView.pending(cluster, plan, Optional.empty()));
    }
    Optional<String> shown = Optional.ofNullable(vsc.getStatus()).map(s -> s.getRebalance()).map(r -> r.getPlanId());
    Approval approval = Approval.read(vsc.getMetadata().getAnnotations(), shown);
    if (!approval.present()) {
      return failure.filter(ClusterRebalance.Failure::planChanged).filter(f -> f.fresh().map(RebalancePlan::id).equals(Optional.of(plan.id())))
          .map(f -> RebalanceView.planChanged(cluster, f.error(), plan))
          .orElseGet(() -> RebalanceView.pending(cluster, plan, Optional.empty()));
    }
    // Spent before anything moves: a stale approval must never carry over to a later plan.
    clearApproval(vsc, client);
    if (approval.problem().isPresent()) {
      events.emit(vsc, "Warning", Reason.RebalancePending.name(), approval.problem().get());
      return RebalanceView.pending(cluster, plan, approval.problem());
    }
    if (approval.planId().isEmpty() || !approval.planId().get().equals(plan.id())) {
      String why = "approval was for plan " + approval.planId().orElse("(none shown)") + " but the cluster now needs plan " + plan.id();
      state.planChanged(why, plan, now);
      events.emit(vsc, "Warning", Reason.RebalancePlanChanged.name(), why + "; nothing was moved");
      return RebalanceView.planChanged(cluster, why, plan);
    }
    start(vsc, id, state, clients, live, rebalance.target(), Optional.of(plan), events, "approved plan " + plan.id() + ": "
        + plan.summary());
    return running(vsc).orElseGet(() -> RebalanceView.pending(cluster, plan, Optional.empty()));
  }

  /** The cluster needs no rebalance now: forget failures (its rates stay, measured on the same shards). */
  public void settled(VectorShardCluster vsc) {
    state(vsc).settled();
  }

  /** The cluster was deleted: stop its attempt and drop what was kept. */
  public void forget(ResourceID id) {
    ClusterRebalance state = clusters.remove(id);
    if (state != null) {
      state.cancel();
    }
  }

  private ClusterRebalance state(VectorShardCluster vsc) {
    return clusters.computeIfAbsent(ResourceID.fromResource(vsc), id -> new ClusterRebalance());
  }

  private void start(VectorShardCluster vsc, ResourceID id, ClusterRebalance state, ShardClients clients, RoutingTable live,
      RoutingTable target, Optional<RebalancePlan> approved, ClusterEvents events, String what) {
    if (!state.begin(approved, live.placement().shards(), target.placement().shards(), clock.instant())) {
      return;
    }
    events.emit(vsc, "Normal", Reason.RebalanceStarted.name(), what);
    LOG.info("{}/{}: rebalancing, {}", vsc.getMetadata().getNamespace(), vsc.getMetadata().getName(), what);
    metrics.rebalanceRunning(id, true);
    Duration budget = Duration.ofMillis(vsc.getSpec().getRebalance().getStallBudgetMs());
    RebalanceListener reports = new RebalanceListener() {
      @Override
      public void progress(RebalanceProgress progress) {
        state.progressed(progress);
      }

      @Override
      public void moved(PlannedMove move, Duration took) {
        metrics.moved(id, move);
      }

      @Override
      public void writePause(PlannedMove move, Duration pause) {
        metrics.writePaused(id, pause);
      }

      @Override
      public void note(String message) {
        LOG.info("{}/{}: {}", vsc.getMetadata().getNamespace(), vsc.getMetadata().getName(), message);
      }
    };
    executor.execute(() -> {
      Instant started = clock.instant();
      Rebalancer rebalancer = new Rebalancer(clients, budget, state.rates(), reports);
      try {
        RoutingTable done = rebalancer.run(live, target, approved);
        state.rates(rebalancer.rates());
        state.succeeded();
        events.emit(vsc, "Normal", Reason.RebalanceFinished.name(), "routing epoch " + done.epoch() + " on " + done.shards().size()
            + " shards is live after " + Duration.between(started, clock.instant()).toSeconds() + " s");
      } catch (Rebalancer.PlanChanged e) {
        state.planChanged(e.getMessage(), e.fresh(), clock.instant());
        events.emit(vsc, "Warning", Reason.RebalancePlanChanged.name(), e.getMessage() + "; nothing was moved");
      } catch (CancellationException e) {
        state.failed(e.getMessage(), clock.instant());
      } catch (RuntimeException e) {
        state.rates(rebalancer.rates());
        ClusterRebalance.Failure failure = state.failed(describe(e), clock.instant());
        metrics.rebalanceFailed(id);
        LOG.warn("{}/{}: rebalance attempt {} failed, next at {}: {}", vsc.getMetadata().getNamespace(), vsc.getMetadata().getName(),
            failure.attempts(), failure.nextAttemptAt(), describe(e));
        events.emit(vsc, "Warning", Reason.RebalanceFailed.name(), "attempt " + failure.attempts() + ": " + failure.error()
            + "; next attempt at " + failure.nextAttemptAt());
      } finally {
        metrics.rebalanceRunning(id, false);
      }
    });
  }

  private static String describe(RuntimeException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** Removes the approval annotations (JSON merge patch: only they change, whatever else was edited meanwhile). */
  private static void clearApproval(VectorShardCluster vsc, KubernetesClient client) {
    client.resources(VectorShardCluster.class).inNamespace(vsc.getMetadata().getNamespace()).withName(vsc.getMetadata().getName())
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"annotations\":{\"" + Approval.ANNOTATION + "\":null,\""
            + Approval.PLAN_ANNOTATION + "\":null}}}");
  }

  @Override
  public void close() {
    clusters.values().forEach(ClusterRebalance::cancel);
    executor.shutdownNow();
  }
}
