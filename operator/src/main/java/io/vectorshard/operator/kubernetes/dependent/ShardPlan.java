package io.vectorshard.operator.kubernetes.dependent;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.core.routing.RoutingTable;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * What the reconciler decided before it runs the dependents: which shard ordinals exist (the
 * spec's, plus shards being removed that still hold data or are not yet fenced), and the table the
 * routing ConfigMap shows. Handed to the dependents through the workflow context.
 */
public record ShardPlan(Set<Integer> retained, Optional<RoutingTable> served, String clusterDomain) {

  static ShardPlan of(Context<VectorShardCluster> context) {
    return context.managedWorkflowAndDependentResourceContext().get(ShardPlan.class, ShardPlan.class)
        .orElseThrow(() -> new IllegalStateException("the reconciler runs the workflow only after planning"));
  }

  public void attachTo(Context<VectorShardCluster> context) {
    context.managedWorkflowAndDependentResourceContext().put(ShardPlan.class, this);
  }

  /** Ordinals whose StatefulSet and Service should exist. */
  IntStream ordinals(VectorShardCluster vsc) {
    return IntStream.concat(IntStream.range(0, vsc.getSpec().getShards()),
        retained.stream().mapToInt(Integer::intValue).filter(i -> i >= vsc.getSpec().getShards())).sorted().distinct();
  }
}
