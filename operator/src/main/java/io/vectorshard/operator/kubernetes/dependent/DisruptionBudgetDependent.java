package io.vectorshard.operator.kubernetes.dependent;

import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.operator.kubernetes.model.ClusterResources;
import io.vectorshard.operator.kubernetes.model.ShardDisruptionBudget;

@KubernetesDependent(informer = @Informer(labelSelector = ClusterResources.MANAGED_SELECTOR))
public class DisruptionBudgetDependent extends CRUDKubernetesDependentResource<PodDisruptionBudget, VectorShardCluster> {
  @Override
  protected PodDisruptionBudget desired(VectorShardCluster vsc, Context<VectorShardCluster> context) {
    return ShardDisruptionBudget.desired(vsc);
  }
}
