package io.vectorshard.api;

/**
 * Where a cluster's rebalance stands, in {@code status.rebalance.state}. A rebalance is the
 * transition from the live placement to the spec's; {@code status.rebalance} is absent when the
 * live placement is the spec's.
 *
 * <ul>
 *   <li>{@link #PendingApproval}: {@code spec.rebalance.approval: MANUAL} and a plan is shown.
 *       Setting the annotation {@code vectorshard.io/rebalance=approve} moves it to {@link #Running}
 *       when the plan the operator computes then is the one shown (optionally pinned by
 *       {@code vectorshard.io/rebalance-plan=<planId>}); otherwise it stays here with the fresh plan
 *       and the condition reason {@code RebalancePlanChanged}, and the annotations are removed, so a
 *       plan nobody saw never runs. Nothing has moved in this state.</li>
 *   <li>{@link #Running}: the operator is moving buckets in the background; progress is updated as
 *       it goes. Goes away when the transition is done (the spec's table is live), or moves to
 *       {@link #Retrying} when a step fails. A transition found half done (an operator restart) is
 *       resumed here without a new approval: it was approved, and its fence is already out.</li>
 *   <li>{@link #Retrying}: the last attempt failed (a shard down, a key it cannot account for);
 *       {@code lastError} says why and {@code nextAttemptAt} when the next attempt starts, with
 *       exponential backoff. Back to {@link #Running} at that time. What was moved stays moved.</li>
 * </ul>
 */
public enum RebalanceState { PendingApproval, Running, Retrying }
