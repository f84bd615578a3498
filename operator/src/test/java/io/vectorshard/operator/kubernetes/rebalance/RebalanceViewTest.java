package io.vectorshard.operator.kubernetes.rebalance;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorshard.api.RebalanceState;
import io.vectorshard.api.VectorShardClusterStatus.Phase;
import io.vectorshard.engine.Move;
import io.vectorshard.engine.rebalance.MoveMethod;
import io.vectorshard.engine.rebalance.PlannedMove;
import io.vectorshard.engine.rebalance.RebalancePlan;
import io.vectorshard.engine.rebalance.RebalanceProgress;
import io.vectorshard.operator.kubernetes.Conditions;
import io.vectorshard.operator.kubernetes.Conditions.Observed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Approval annotations, backoff and what each rebalance state shows: pure, no cluster needed. */
class RebalanceViewTest {
  private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

  private static RebalancePlan plan(int moves, MoveMethod method) {
    return new RebalancePlan(2, 3, IntStream.range(0, moves)
        .mapToObj(i -> new PlannedMove(new Move("t" + i, 0, 1, i % 2, 2, 10 + i), 1000L * (i + 1), method, 5)).toList(), 250);
  }

  private static Observed condition(RebalanceView view, String type) {
    return view.conditions().stream().filter(c -> c.type().equals(type)).findFirst().orElseThrow();
  }

  @Test
  void aPlanIsNamedByWhatMovesWhereAndHowNotBySizes() {
    RebalancePlan plan = plan(3, MoveMethod.ATOMIC);
    RebalancePlan grown = new RebalancePlan(2, 3, plan.moves().stream()
        .map(p -> new PlannedMove(new Move(p.move().tenant(), 0, 1, p.move().from(), 2, p.move().vectors() + 7), p.bytes() * 2,
            p.method(), p.estimatedMillis() + 3)).toList(), 250);
    assertThat(grown.id()).isEqualTo(plan.id());
    assertThat(plan(3, MoveMethod.STREAM).id()).as("a method change").isNotEqualTo(plan.id());
    assertThat(plan(4, MoveMethod.ATOMIC).id()).as("one more bucket").isNotEqualTo(plan.id());
  }

  @Test
  void aReBucketingIsShownWithItsOldCountAndNoTargetShard() {
    RebalancePlan plan = new RebalancePlan(3, 3, List.of(
        new PlannedMove(new Move("big", 1, 3, 2, -1, 900), 90_000, MoveMethod.REBUCKET, 40)), 250);
    RebalanceView view = RebalanceView.pending("rag", plan, Optional.empty());
    assertThat(view.status().getMoves()).singleElement().satisfies(m -> {
      assertThat(m.getMethod()).isEqualTo("REBUCKET");
      assertThat(m.getBuckets()).isEqualTo(3);
      assertThat(m.getTo()).isEqualTo(-1);
    });
    RebalancePlan fromTwo = new RebalancePlan(3, 3, List.of(
        new PlannedMove(new Move("big", 1, 2, 2, -1, 900), 90_000, MoveMethod.REBUCKET, 40)), 250);
    assertThat(fromTwo.id()).as("another old count is another key").isNotEqualTo(plan.id());
  }

  @Test
  void approvalIsReadFromTheAnnotationsAndATypoApprovesNothing() {
    assertThat(Approval.read(null, Optional.of("p1")).present()).isFalse();
    assertThat(Approval.read(Map.of("other", "x"), Optional.of("p1")).present()).isFalse();
    assertThat(Approval.read(Map.of(Approval.ANNOTATION, "approve"), Optional.of("p1")))
        .isEqualTo(new Approval(true, Optional.of("p1"), Optional.empty()));
    assertThat(Approval.read(Map.of(Approval.ANNOTATION, "approve", Approval.PLAN_ANNOTATION, "p2"), Optional.of("p1")).planId())
        .contains("p2");
    Approval typo = Approval.read(Map.of(Approval.ANNOTATION, "aprove"), Optional.of("p1"));
    assertThat(typo.given()).isFalse();
    assertThat(typo.present()).isTrue();
    assertThat(typo.problem()).hasValueSatisfying(p -> assertThat(p).contains("aprove", "\"approve\""));
    assertThat(Approval.read(Map.of(Approval.PLAN_ANNOTATION, "p1"), Optional.of("p1")).given()).as("a plan id alone").isFalse();
  }

  @Test
  void backoffDoublesFromFiveSecondsToFiveMinutes() {
    assertThat(IntStream.rangeClosed(1, 8).mapToObj(Backoff::after).map(Duration::toSeconds).toList())
        .containsExactly(5L, 10L, 20L, 40L, 80L, 160L, 300L, 300L);
    assertThat(Backoff.after(1000)).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void aPendingPlanIsShownWithHowToApproveItAndNothingDegraded() {
    RebalancePlan plan = plan(60, MoveMethod.ATOMIC);
    RebalanceView view = RebalanceView.pending("rag", plan, Optional.empty());
    assertThat(view.phase()).isEqualTo(Phase.Rebalancing);
    assertThat(view.status().getState()).isEqualTo(RebalanceState.PendingApproval);
    assertThat(view.status().getPlanId()).isEqualTo(plan.id());
    assertThat(view.status().getMoves()).hasSize(50);
    assertThat(view.status().getPlannedMoves()).isEqualTo(60);
    assertThat(view.status().getPlannedVectors()).isEqualTo(plan.vectors());
    assertThat(condition(view, Conditions.READY).message())
        .contains("kubectl annotate vsc/rag vectorshard.io/rebalance=approve vectorshard.io/rebalance-plan=" + plan.id());
    assertThat(condition(view, Conditions.DEGRADED).status()).isFalse();
    assertThat(view.recheck()).isEqualTo(RebalanceView.APPROVAL_INTERVAL);
  }

  @Test
  void aRunningRebalanceShowsProgressWithAStableConditionMessage() {
    RebalancePlan plan = plan(4, MoveMethod.STREAM);
    ClusterRebalance.Running started = new ClusterRebalance.Running(Optional.of(plan), 2, 3, T0, Optional.empty());
    ClusterRebalance.Running later = new ClusterRebalance.Running(Optional.of(plan), 2, 3, T0, Optional.of(
        new RebalanceProgress(2, 4, 21, plan.vectors(), 3000, plan.bytes(), Optional.of("streaming t2"), Duration.ofSeconds(9),
            Optional.of(Duration.ofMillis(12)))));
    RebalanceView before = RebalanceView.running(started);
    RebalanceView after = RebalanceView.running(later);
    assertThat(after.status().getMovesDone()).isEqualTo(2);
    assertThat(after.status().getVectorsMoved()).isEqualTo(21);
    assertThat(after.status().getCurrentMove()).isEqualTo("streaming t2");
    assertThat(after.status().getEtaSeconds()).isEqualTo(9);
    assertThat(after.status().getLastWritePauseMillis()).isEqualTo(12);
    assertThat(after.conditions()).as("progress lives in status.rebalance only").isEqualTo(before.conditions());
    assertThat(condition(after, Conditions.PROGRESSING).status()).isTrue();
  }

  @Test
  void aFailedAttemptIsDegradedUntilItsBackoffEnds() {
    ClusterRebalance state = new ClusterRebalance();
    assertThat(state.begin(Optional.of(plan(2, MoveMethod.ATOMIC)), 2, 3, T0)).isTrue();
    assertThat(state.begin(Optional.empty(), 2, 3, T0)).as("one attempt at a time").isFalse();
    ClusterRebalance.Failure first = state.failed("cannot reach shard-2", T0);
    assertThat(state.begin(Optional.empty(), 2, 3, T0)).isTrue();
    ClusterRebalance.Failure second = state.failed("cannot reach shard-2", T0);
    assertThat(first.nextAttemptAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(second.attempts()).isEqualTo(2);
    assertThat(second.nextAttemptAt()).isEqualTo(T0.plusSeconds(10));

    RebalanceView view = RebalanceView.retrying(second, T0.plusSeconds(4));
    assertThat(view.phase()).isEqualTo(Phase.Degraded);
    assertThat(view.status().getState()).isEqualTo(RebalanceState.Retrying);
    assertThat(view.status().getLastError()).isEqualTo("cannot reach shard-2");
    assertThat(condition(view, Conditions.DEGRADED).status()).isTrue();
    assertThat(view.recheck()).isEqualTo(Duration.ofSeconds(6));
    state.settled();
    assertThat(state.failure()).isEmpty();
  }

  @Test
  void anApprovalOfAnotherPlanShowsTheFreshOneAndWhy() {
    RebalancePlan fresh = plan(3, MoveMethod.ATOMIC);
    RebalanceView view = RebalanceView.planChanged("rag", "approval was for plan 00ff but the cluster now needs plan " + fresh.id(),
        fresh);
    assertThat(view.status().getPlanId()).isEqualTo(fresh.id());
    assertThat(view.status().getState()).isEqualTo(RebalanceState.PendingApproval);
    assertThat(condition(view, Conditions.READY).reason().name()).isEqualTo("RebalancePlanChanged");
    assertThat(condition(view, Conditions.READY).message()).contains("nothing was moved", "00ff", fresh.id());
    assertThat(List.of(condition(view, Conditions.DEGRADED).status())).containsExactly(false);
  }
}
