package io.vectorshard.operator.kubernetes.model;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.vectorshard.api.VectorShardCluster;

/**
 * At most one shard pod of the cluster down for voluntary disruptions (node drains): each shard has
 * a single primary, so a drain takes shards offline one at a time instead of all at once.
 */
public final class ShardDisruptionBudget {
  private ShardDisruptionBudget() {}

  public static PodDisruptionBudget desired(VectorShardCluster vsc) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(ClusterResources.owned(vsc, ClusterResources.disruptionBudget(vsc.getMetadata().getName()),
            ClusterResources.clusterLabels(vsc)))
        .withNewSpec()
          .withMaxUnavailable(new IntOrString(1))
          .withNewSelector().withMatchLabels(ClusterResources.shardPodSelector(vsc)).endSelector()
        .endSpec()
        .build();
  }
}
