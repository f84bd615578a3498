package io.vectorshard.operator.kubernetes;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.core.redis.ShardClients;
import io.vectorshard.core.redis.ShardCredentials;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engine's shard clients per cluster, kept between reconciles and replaced when the cluster's
 * password changes. JOSDK never reconciles one resource on two threads at once, so a cluster's
 * clients are used by one reconcile at a time.
 */
final class ClusterConnections implements AutoCloseable {
  private final Duration timeout;
  private final Map<ResourceID, ShardClients> byCluster = new ConcurrentHashMap<>();

  ClusterConnections(Duration timeout) {
    this.timeout = timeout;
  }

  ShardClients of(VectorShardCluster vsc, String password) {
    ShardCredentials admin = ShardCredentials.admin(password);
    return byCluster.compute(ResourceID.fromResource(vsc), (id, existing) -> {
      if (existing != null && existing.authenticatesAs(admin)) {
        return existing;
      }
      if (existing != null) {
        existing.close();
      }
      return new ShardClients(admin, timeout);
    });
  }

  /** Closes a deleted cluster's clients. */
  void forget(ResourceID cluster) {
    ShardClients clients = byCluster.remove(cluster);
    if (clients != null) {
      clients.close();
    }
  }

  @Override
  public void close() {
    byCluster.values().forEach(ShardClients::close);
    byCluster.clear();
  }
}
