package io.vectorshard.operator.kubernetes.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.operator.kubernetes.model.ClusterResources;
import io.vectorshard.operator.kubernetes.model.RoutingConfigMap;

/** {@code <name>-routing}, written once a table is published, and after every new epoch. */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterResources.MANAGED_SELECTOR))
public class RoutingConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, VectorShardCluster> {
  @Override
  protected ConfigMap desired(VectorShardCluster vsc, Context<VectorShardCluster> context) {
    return RoutingConfigMap.desired(vsc, ShardPlan.of(context).served().orElseThrow());
  }

  /**
   * By name, not from {@link #desired}: JOSDK also looks the ConfigMap up while the precondition is
   * unmet (to delete it), when there is no table to build one from. The real API server's timing
   * (shards Ready seconds after creation) showed that; the mock server's instant readiness hid it.
   */
  @Override
  protected ResourceID targetSecondaryResourceID(VectorShardCluster vsc, Context<VectorShardCluster> context) {
    return new ResourceID(ClusterResources.routing(vsc.getMetadata().getName()), vsc.getMetadata().getNamespace());
  }

  /** No table yet (shards still starting): nothing to show. */
  public static class TablePublished implements Condition<ConfigMap, VectorShardCluster> {
    @Override
    public boolean isMet(DependentResource<ConfigMap, VectorShardCluster> dependent, VectorShardCluster vsc,
        Context<VectorShardCluster> context) {
      return ShardPlan.of(context).served().isPresent();
    }
  }
}
