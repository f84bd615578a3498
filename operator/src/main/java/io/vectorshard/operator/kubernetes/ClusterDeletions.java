package io.vectorshard.operator.kubernetes;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Forwards the deletion of a {@code VectorShardCluster} to what keeps state per cluster (metric
 * series, shard connections). Without a finalizer (which would block deleting a cluster while no
 * operator runs), JOSDK reports a deleted primary only through this {@link Metrics} hook.
 */
final class ClusterDeletions implements Metrics {
  private final List<Consumer<ResourceID>> forget;

  ClusterDeletions(List<Consumer<ResourceID>> forget) {
    this.forget = List.copyOf(forget);
  }

  @Override
  public void cleanupDoneFor(ResourceID cluster, Map<String, Object> metadata) {
    forget(cluster);
  }

  /**
   * Also called by the reconciler when it finds its resource gone at the end of a reconcile: JOSDK
   * reports the deletion as soon as it sees it, possibly while that reconcile still runs and is
   * about to export metrics or open connections for the cluster again.
   */
  void forget(ResourceID cluster) {
    forget.forEach(f -> f.accept(cluster));
  }
}
