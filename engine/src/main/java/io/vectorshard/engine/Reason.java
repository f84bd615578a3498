package io.vectorshard.engine;

/**
 * Why a cluster is in the state it is in: the reasons of its status conditions and events, one list
 * for both adapters (the operator writes them into conditions, local mode into its messages). The
 * constants are spelled as Kubernetes spells reasons (CamelCase), since {@link #name()} is what is
 * written; scripts and alerts match on them, so renaming one is a breaking change.
 */
public enum Reason {
  /** Ready: the table the spec asks for is published and every shard is ready. */
  TablePublished,
  /** Progressing=False when there is nothing to do. */
  Reconciled,
  /** Degraded=False. */
  AsExpected,
  /** The spec fails validation; nothing was changed. */
  InvalidSpec,
  /** A storage edit the existing shards' StatefulSets cannot take; nothing was changed. */
  StorageChangeRefused,
  /** The shards' password Secret cannot be read. */
  PasswordUnavailable,
  /** Some shards are not ready. */
  ShardsNotReady,
  /** Progressing while shards start. */
  ShardsStarting,
  /** The spec's placement would strand data: buckets must move first. */
  RebalanceRequired,
  /** A shard could not be read, so no table can be decided safely. */
  ShardUnreachable,
  /** Dimensions or quantization changed on a populated cluster. */
  VectorSettingsChanged,
  /** A rebalance plan waits for approval ({@code spec.rebalance.approval: MANUAL}). */
  RebalancePending,
  /** The plan that was approved is no longer what the cluster needs; nothing moved, a fresh plan is shown. */
  RebalancePlanChanged,
  /** Buckets are moving to the spec's placement. */
  RebalanceRunning,
  /** A rebalance step failed; it is retried with backoff, and what moved stays moved. */
  RebalanceRetrying,
  /** Event: a rebalance started (its plan). */
  RebalanceStarted,
  /** Event: a rebalance finished and the spec's table is live. */
  RebalanceFinished,
  /** Event: a rebalance attempt failed. */
  RebalanceFailed,
  /** A reconcile threw (the API server refused a change, a forbidden verb, a timeout). */
  ReconcileFailed
}
