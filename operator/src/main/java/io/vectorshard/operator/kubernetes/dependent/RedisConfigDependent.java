package io.vectorshard.operator.kubernetes.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.operator.kubernetes.model.ClusterResources;
import io.vectorshard.operator.kubernetes.model.RedisConfig;

/** The shards' redis.conf. */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterResources.MANAGED_SELECTOR))
public class RedisConfigDependent extends CRUDKubernetesDependentResource<ConfigMap, VectorShardCluster> {
  @Override
  protected ConfigMap desired(VectorShardCluster vsc, Context<VectorShardCluster> context) {
    return RedisConfig.desired(vsc);
  }
}
