package io.vectorshard.operator.kubernetes;

import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.operator.kubernetes.model.ClusterResources;

/**
 * Where a shard's primary answers. In a cluster that is the pod's stable DNS name; tests running
 * against the mock API server point shards at local Redis processes instead. Everything else in
 * the reconciler is the production code path.
 */
@FunctionalInterface
public interface ShardAddresses {
  ShardEndpoint endpoint(VectorShardCluster vsc, int ordinal);

  /** {@code <name>-shard-<i>-0.<name>-shard-<i>.<namespace>.svc.<domain>:6379}. */
  static ShardAddresses clusterDns(String clusterDomain) {
    return (vsc, ordinal) -> ShardEndpoint.of(ordinal, ClusterResources.primaryHost(vsc, ordinal, clusterDomain),
        ClusterResources.REDIS_PORT);
  }
}
