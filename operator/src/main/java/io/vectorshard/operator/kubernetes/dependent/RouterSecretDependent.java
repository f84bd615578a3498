package io.vectorshard.operator.kubernetes.dependent;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.BooleanWithUndefined;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.operator.kubernetes.model.ClusterResources;

/**
 * The password of the shards' router user ({@code vsc-router}), always generated: routers (the
 * sidecars) get this Secret, never the administrator's, so a router credential cannot publish a
 * routing table.
 */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterResources.MANAGED_SELECTOR),
    useSSA = BooleanWithUndefined.FALSE)
public class RouterSecretDependent extends GeneratedSecretDependent {

  @Override
  String secretName(VectorShardCluster vsc) {
    return ClusterResources.routerSecret(vsc.getMetadata().getName());
  }
}
