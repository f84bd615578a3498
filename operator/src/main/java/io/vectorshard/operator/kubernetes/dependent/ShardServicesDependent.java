package io.vectorshard.operator.kubernetes.dependent;

import io.fabric8.kubernetes.api.model.Service;
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
import io.vectorshard.operator.kubernetes.model.ShardService;
import java.util.Map;
import java.util.stream.Collectors;

/** One headless Service per shard, alongside its StatefulSet. */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterResources.MANAGED_SELECTOR))
public class ShardServicesDependent extends KubernetesDependentResource<Service, VectorShardCluster>
    implements CRUDKubernetesBulkDependentResource<Service, VectorShardCluster>,
        KubernetesBulkDependentResource<Service, VectorShardCluster>, GarbageCollected<VectorShardCluster> {

  @Override
  public Map<ResourceID, Service> desiredResources(VectorShardCluster vsc, Context<VectorShardCluster> context) {
    return ShardPlan.of(context).ordinals(vsc).mapToObj(i -> ShardService.desired(vsc, i))
        .collect(Collectors.toMap(ResourceID::fromResource, s -> s));
  }
}
