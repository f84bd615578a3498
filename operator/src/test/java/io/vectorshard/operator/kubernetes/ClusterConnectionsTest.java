package io.vectorshard.operator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardClients;
import io.vectorshard.core.redis.ShardCredentials;
import io.vectorshard.core.testing.RedisShards;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterConnectionsTest {
  private static VectorShardCluster cluster(String name) {
    VectorShardCluster vsc = new VectorShardCluster();
    vsc.getMetadata().setName(name);
    vsc.getMetadata().setNamespace("apps");
    return vsc;
  }

  @Test
  void keepsAClustersClientsUntilItsPasswordChangesOrItIsDeleted() {
    try (RedisShards shards = RedisShards.start(1);
        ClusterConnections connections = new ClusterConnections(Duration.ofSeconds(2))) {
      ShardClients first = connections.of(cluster("rag"), "secret-1");
      ShardClient shard = first.get(shards.endpoints().get(0));
      assertThat(connections.of(cluster("rag"), "secret-1")).isSameAs(first);
      assertThat(connections.of(cluster("other"), "secret-1")).isNotSameAs(first);

      // A rotated password: new clients, and the old ones closed.
      ShardClients rotated = connections.of(cluster("rag"), "secret-2");
      assertThat(rotated).isNotSameAs(first);
      assertThat(rotated.authenticatesAs(ShardCredentials.admin("secret-2"))).isTrue();
      assertThatThrownBy(shard::epoch).isInstanceOf(IllegalStateException.class); // closed

      ShardClient rotatedShard = rotated.get(shards.endpoints().get(0));
      connections.forget(new ResourceID("rag", "apps"));
      assertThatThrownBy(rotatedShard::epoch).isInstanceOf(IllegalStateException.class);
      assertThat(connections.of(cluster("rag"), "secret-2")).isNotSameAs(rotated);
    }
  }
}
