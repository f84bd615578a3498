package io.vectorshard.operator.kubernetes;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.operator.kubernetes.model.ClusterResources;
import io.vectorshard.operator.kubernetes.model.PasswordSecret;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Stands in for the kubelet and the StatefulSet controller, which the mock API server lacks: a
 * StatefulSet's "pods" are the real Redis process of its shard ordinal, started with the password
 * from the Secret its container references, and then reported ready in the StatefulSet's status.
 */
final class FakeStatefulSetController implements AutoCloseable {
  private final KubernetesClient client;
  private final RedisShards shards;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();

  FakeStatefulSetController(KubernetesClient client, RedisShards shards) {
    this.client = client;
    this.shards = shards;
    loop.scheduleWithFixedDelay(this::tick, 0, 100, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      for (StatefulSet sts : client.apps().statefulSets().inAnyNamespace().list().getItems()) {
        int replicas = sts.getSpec().getReplicas();
        if (sts.getStatus() != null && Integer.valueOf(replicas).equals(sts.getStatus().getReadyReplicas())) {
          continue;
        }
        String cluster = sts.getMetadata().getLabels().get(ClusterResources.CLUSTER_LABEL);
        int ordinal = ClusterResources.ordinalOf(cluster, sts.getMetadata().getName());
        Optional<String> password = password(sts);
        if (password.isEmpty() || ordinal >= shards.size()) {
          continue; // a real pod would wait for its Secret (CreateContainerConfigError) or a node
        }
        try (Jedis redis = new Jedis("127.0.0.1", shards.server(ordinal).port())) {
          try {
            redis.auth(password.get());
          } catch (JedisDataException noPasswordYet) {
            // first start: the server has no password until the container's config sets it
          }
          redis.configSet("requirepass", password.get());
        }
        sts.setStatus(new StatefulSetStatusBuilder().withReplicas(replicas).withReadyReplicas(replicas)
            .withObservedGeneration(sts.getMetadata().getGeneration()).build());
        client.apps().statefulSets().resource(sts).updateStatus();
      }
    } catch (RuntimeException e) {
      // the next tick retries, as a controller would (e.g. a conflict with the operator's update)
    }
  }

  /** The password the container's REDIS_PASSWORD env var would receive. */
  private Optional<String> password(StatefulSet sts) {
    Optional<String> secret = sts.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals("REDIS_PASSWORD")).map(EnvVar::getValueFrom)
        .map(v -> v.getSecretKeyRef().getName()).findFirst();
    return secret.flatMap(name -> PasswordSecret.read(
        client.secrets().inNamespace(sts.getMetadata().getNamespace()).withName(name).get()));
  }

  @Override
  public void close() {
    loop.shutdownNow();
  }
}
