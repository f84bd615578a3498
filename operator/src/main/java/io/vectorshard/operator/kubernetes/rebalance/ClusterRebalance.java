package io.vectorshard.operator.kubernetes.rebalance;

import io.vectorshard.engine.rebalance.RebalancePlan;
import io.vectorshard.engine.rebalance.RebalanceProgress;
import io.vectorshard.engine.rebalance.TransferRates;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CancellationException;

/**
 * One cluster's rebalancing as the operator keeps it between reconciles: the attempt running in
 * the background, the last failure and when to try again, and the transfer rates measured on its
 * shards. Everything else a transition needs is on the shards, so losing this object (an operator
 * restart) costs a re-measurement and a backoff reset, never data.
 */
final class ClusterRebalance {
  /** An attempt under way: its plan (empty when it resumed a transition found half done) and its progress. */
  record Running(Optional<RebalancePlan> plan, int fromShards, int toShards, Instant startedAt, Optional<RebalanceProgress> progress) {}

  /**
   * The last attempt failed.
   *
   * @param planChanged the plan it was to execute was no longer the cluster's (nothing moved); then
   *     {@code fresh} is the cluster's plan now, and no backoff applies: it waits for a new approval
   */
  record Failure(int fromShards, int toShards, int attempts, String error, Instant nextAttemptAt, Optional<RebalancePlan> plan,
      Optional<RebalanceProgress> progress, boolean planChanged, Optional<RebalancePlan> fresh) {}

  private TransferRates rates;
  private Running running;
  private Failure failure;
  private boolean cancelled;

  synchronized TransferRates rates() {
    return rates;
  }

  synchronized void rates(TransferRates measured) {
    if (measured != null) {
      rates = measured;
    }
  }

  synchronized Optional<Running> running() {
    return Optional.ofNullable(running);
  }

  synchronized Optional<Failure> failure() {
    return Optional.ofNullable(failure);
  }

  /** Marks an attempt as started; false when one is already running. */
  synchronized boolean begin(Optional<RebalancePlan> plan, int fromShards, int toShards, Instant now) {
    if (running != null || cancelled) {
      return false;
    }
    running = new Running(plan, fromShards, toShards, now, Optional.empty());
    return true;
  }

  synchronized void succeeded() {
    running = null;
    failure = null;
  }

  /** Called by the attempt that {@link #begin} started, so there is a running one. */
  synchronized Failure failed(String error, Instant now) {
    int attempts = failure == null || failure.planChanged() ? 1 : failure.attempts() + 1;
    failure = new Failure(running.fromShards(), running.toShards(), attempts, error, now.plus(Backoff.after(attempts)), running.plan(),
        running.progress(), false, Optional.empty());
    running = null;
    return failure;
  }

  synchronized void planChanged(String error, RebalancePlan fresh, Instant now) {
    failure = new Failure(fresh.fromShards(), fresh.toShards(), 0, error, now, Optional.empty(), Optional.empty(), true,
        Optional.of(fresh));
    running = null;
  }

  /** The cluster no longer needs a rebalance (or has a new plan to approve): nothing to remember but the rates. */
  synchronized void settled() {
    if (running == null) {
      failure = null;
    }
  }

  /** Stops the attempt at its next progress report (the operator is stopping, or the cluster was deleted). */
  synchronized void cancel() {
    cancelled = true;
  }

  /**
   * Records the running attempt's progress; throws when it was cancelled, which the engine's
   * progress report carries up and out of the attempt.
   */
  synchronized void progressed(RebalanceProgress progress) {
    if (cancelled) {
      throw new CancellationException("the operator stopped this rebalance; the next leader resumes it");
    }
    if (running != null) {
      running = new Running(running.plan(), running.fromShards(), running.toShards(), running.startedAt(), Optional.of(progress));
    }
  }
}
