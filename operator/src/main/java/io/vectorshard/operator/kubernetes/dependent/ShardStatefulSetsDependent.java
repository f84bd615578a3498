package io.vectorshard.operator.kubernetes.dependent;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.CRUDKubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.KubernetesBulkDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.operator.kubernetes.model.ClusterResources;
import io.vectorshard.operator.kubernetes.model.ShardStatefulSet;
import java.util.Map;
import java.util.stream.Collectors;

/** One StatefulSet per shard; StatefulSets of shards no longer planned are deleted. */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterResources.MANAGED_SELECTOR))
public class ShardStatefulSetsDependent extends KubernetesDependentResource<StatefulSet, VectorShardCluster>
    implements CRUDKubernetesBulkDependentResource<StatefulSet, VectorShardCluster>,
        KubernetesBulkDependentResource<StatefulSet, VectorShardCluster>, GarbageCollected<VectorShardCluster> {

  @Override
  public Map<ResourceID, StatefulSet> desiredResources(VectorShardCluster vsc, Context<VectorShardCluster> context) {
    ShardPlan plan = ShardPlan.of(context);
    return plan.ordinals(vsc).mapToObj(i -> ShardStatefulSet.desired(vsc, i, plan.clusterDomain()))
        .collect(Collectors.toMap(ResourceID::fromResource, s -> s));
  }
}
