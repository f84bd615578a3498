package io.vectorshard.operator.kubernetes.rebalance;

import io.vectorshard.api.RebalanceMove;
import io.vectorshard.api.RebalanceState;
import io.vectorshard.api.RebalanceStatus;
import io.vectorshard.api.VectorShardClusterStatus.Phase;
import io.vectorshard.engine.Reason;
import io.vectorshard.engine.rebalance.PlannedMove;
import io.vectorshard.engine.rebalance.RebalancePlan;
import io.vectorshard.engine.rebalance.RebalanceProgress;
import io.vectorshard.operator.kubernetes.Conditions;
import io.vectorshard.operator.kubernetes.Conditions.Observed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a cluster with a rebalance to do shows: {@code status.rebalance}, the phase, the three
 * conditions, and how soon the reconciler should look again. Pure, so each state is unit-tested.
 * Condition messages stay the same while an attempt runs (progress is in {@code status.rebalance}),
 * so conditions change, and events fire, only on real transitions.
 */
public record RebalanceView(RebalanceStatus status, Phase phase, List<Observed> conditions, Duration recheck) {
  /** How often progress is written into the status while moves run. */
  static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(2);
  /** How soon an approval annotation, or a changed cluster, is noticed while a plan waits. */
  static final Duration APPROVAL_INTERVAL = Duration.ofSeconds(5);

  static RebalanceView pending(String cluster, RebalancePlan plan, Optional<String> note) {
    RebalanceStatus status = planned(RebalanceState.PendingApproval, plan);
    String message = "plan " + plan.id() + " waits for approval: " + plan.summary() + "; approve it with kubectl annotate vsc/"
        + cluster + " " + Approval.ANNOTATION + "=" + Approval.APPROVE + " " + Approval.PLAN_ANNOTATION + "=" + plan.id()
        + note.map(n -> " (" + n + ")").orElse("");
    return new RebalanceView(status, Phase.Rebalancing, List.of(
        new Observed(Conditions.READY, false, Reason.RebalancePending, message),
        new Observed(Conditions.PROGRESSING, false, Reason.RebalancePending, message),
        new Observed(Conditions.DEGRADED, false, Reason.AsExpected, "serving the current routing table")), APPROVAL_INTERVAL);
  }

  /** The approval named another plan than the one the cluster needs now: nothing moved, the fresh plan waits. */
  static RebalanceView planChanged(String cluster, String why, RebalancePlan fresh) {
    RebalanceStatus status = planned(RebalanceState.PendingApproval, fresh);
    status.setLastError(why);
    String message = why + "; nothing was moved. Review plan " + fresh.id() + " in status.rebalance and approve it with"
        + " kubectl annotate vsc/" + cluster + " " + Approval.ANNOTATION + "=" + Approval.APPROVE + " " + Approval.PLAN_ANNOTATION
        + "=" + fresh.id();
    return new RebalanceView(status, Phase.Rebalancing, List.of(
        new Observed(Conditions.READY, false, Reason.RebalancePlanChanged, message),
        new Observed(Conditions.PROGRESSING, false, Reason.RebalancePlanChanged, message),
        new Observed(Conditions.DEGRADED, false, Reason.AsExpected, "serving the current routing table")), APPROVAL_INTERVAL);
  }

  static RebalanceView running(ClusterRebalance.Running running) {
    int fromShards = running.fromShards();
    int toShards = running.toShards();
    RebalanceStatus status = planned(RebalanceState.Running, running.plan(), fromShards, toShards);
    status.setStartedAt(running.startedAt().toString());
    running.progress().ifPresent(p -> progress(status, p));
    String message = running.plan().map(p -> "executing plan " + p.id() + ": " + p.summary())
        .orElse("resuming the transition from " + fromShards + " to " + toShards + " shards found in the routing table")
        + "; progress in status.rebalance";
    return new RebalanceView(status, Phase.Rebalancing, List.of(
        new Observed(Conditions.READY, false, Reason.RebalanceRunning, message),
        new Observed(Conditions.PROGRESSING, true, Reason.RebalanceRunning, message),
        new Observed(Conditions.DEGRADED, false, Reason.AsExpected, "moving data while serving")), PROGRESS_INTERVAL);
  }

  static RebalanceView retrying(ClusterRebalance.Failure failure, Instant now) {
    int fromShards = failure.fromShards();
    int toShards = failure.toShards();
    RebalanceStatus status = planned(RebalanceState.Retrying, failure.plan(), fromShards, toShards);
    failure.progress().ifPresent(p -> progress(status, p));
    status.setAttempts(failure.attempts());
    status.setLastError(failure.error());
    status.setNextAttemptAt(failure.nextAttemptAt().toString());
    String message = "rebalance attempt " + failure.attempts() + " failed: " + failure.error() + "; what moved stays moved,"
        + " next attempt at " + failure.nextAttemptAt();
    Duration wait = Duration.between(now, failure.nextAttemptAt());
    return new RebalanceView(status, Phase.Degraded, List.of(
        new Observed(Conditions.READY, false, Reason.RebalanceRetrying, message),
        new Observed(Conditions.PROGRESSING, true, Reason.RebalanceRetrying, message),
        new Observed(Conditions.DEGRADED, true, Reason.RebalanceRetrying, message)),
        wait.isNegative() || wait.isZero() ? Duration.ofMillis(100) : wait);
  }

  /** A resumed transition has no plan of its own (its rounds plan as they go): just where it goes. */
  private static RebalanceStatus planned(RebalanceState state, Optional<RebalancePlan> plan, int fromShards, int toShards) {
    return plan.map(p -> planned(state, p)).orElseGet(() -> {
      RebalanceStatus unplanned = new RebalanceStatus();
      unplanned.setState(state);
      unplanned.setFromShards(fromShards);
      unplanned.setToShards(toShards);
      return unplanned;
    });
  }

  private static RebalanceStatus planned(RebalanceState state, RebalancePlan plan) {
    RebalanceStatus status = new RebalanceStatus();
    status.setState(state);
    status.setPlanId(plan.id());
    status.setFromShards(plan.fromShards());
    status.setToShards(plan.toShards());
    status.setMoves(plan.moves().stream().limit(RebalanceStatus.MOVES_SHOWN).map(RebalanceView::move).toList());
    status.setPlannedMoves(plan.moves().size());
    status.setPlannedVectors(plan.vectors());
    status.setPlannedBytes(plan.bytes());
    status.setEstimatedSeconds((plan.estimatedMillis() + 999) / 1000);
    return status;
  }

  private static RebalanceMove move(PlannedMove p) {
    return new RebalanceMove(p.move().tenant(), p.move().bucket(), p.move().buckets(), p.move().from(), p.move().to(), p.move().vectors(), p.bytes(),
        p.method().name(), p.estimatedMillis());
  }

  private static void progress(RebalanceStatus status, RebalanceProgress p) {
    status.setMovesDone(p.movesDone());
    status.setVectorsMoved(p.vectorsMoved());
    status.setBytesMoved(p.bytesMoved());
    status.setCurrentMove(p.current().orElse(null));
    status.setEtaSeconds(Math.max(0, p.eta().toSeconds()));
    status.setLastWritePauseMillis(p.lastWritePause().map(Duration::toMillis).orElse(null));
    if (status.getPlannedMoves() == null) {
      // A resumed transition has no plan of its own: its rounds' totals are the best figures.
      status.setPlannedMoves(p.movesTotal());
      status.setPlannedVectors(p.vectorsTotal());
      status.setPlannedBytes(p.bytesTotal());
    }
  }
}
