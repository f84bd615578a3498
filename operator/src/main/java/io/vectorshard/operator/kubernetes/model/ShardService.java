package io.vectorshard.operator.kubernetes.model;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.vectorshard.api.VectorShardCluster;

/** The headless Service that gives a shard's pods their stable DNS names. */
public final class ShardService {
  private ShardService() {}

  public static Service desired(VectorShardCluster vsc, int ordinal) {
    return new ServiceBuilder()
        .withMetadata(ClusterResources.owned(vsc, ClusterResources.shard(vsc.getMetadata().getName(), ordinal),
            ClusterResources.shardLabels(vsc, ordinal)))
        .withNewSpec()
          .withClusterIP("None")
          .withSelector(ClusterResources.shardSelector(vsc, ordinal))
          .addNewPort().withName("redis").withPort(ClusterResources.REDIS_PORT).withNewTargetPort("redis").endPort()
        .endSpec()
        .build();
  }
}
