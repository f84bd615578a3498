package io.vectorshard.operator.kubernetes.model;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.vectorshard.api.RedisSpec;
import io.vectorshard.api.StorageSpec;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.core.redis.ShardAcl;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One shard: a StatefulSet whose pod 0 is the shard's Redis primary and whose other pods (when
 * {@code spec.redis.replicas > 0}) replicate it. Built from the spec alone, without API calls.
 */
public final class ShardStatefulSet {
  public static final String CONTAINER = "redis";
  public static final String CONFIG_HASH_ANNOTATION = "vectorshard.io/config-hash";
  /** uid and gid of the redis user in the official image. */
  static final long REDIS_UID = 999;
  static final ResourceRequirements DEFAULT_RESOURCES = new ResourceRequirementsBuilder()
      .addToRequests("cpu", new Quantity("250m"))
      .addToRequests("memory", new Quantity("512Mi"))
      .build();

  /**
   * Writes the shard's users from the environment into the auth file redis.conf includes (so no
   * password is on the command line): the administrator as {@code requirepass} (and
   * {@code masterauth}, for replicas), the router's user with its password's SHA-256 and its rules
   * ({@link ShardAcl#ROUTER_RULES}). Then makes pods other than 0 replicas of pod 0.
   */
  static final String START_SCRIPT = """
      set -eu
      router_hash=$(printf '%s' "$ROUTER_PASSWORD" | sha256sum | cut -c1-64)
      printf 'requirepass "%s"\\nmasterauth "%s"\\nuser %s reset on #%s %s\\n' "$REDIS_PASSWORD" "$REDIS_PASSWORD" \\
        "$ROUTER_USER" "$router_hash" "$ROUTER_ACL_RULES" > /run/vectorshard/auth.conf
      if [ "${HOSTNAME##*-}" = "0" ]; then
        exec redis-server /etc/vectorshard/redis.conf
      fi
      exec redis-server /etc/vectorshard/redis.conf --replicaof "$PRIMARY_HOST" 6379
      """;
  /** PONG only: a Redis still loading its AOF answers LOADING and is not ready. */
  static final String PING = "redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG";

  private ShardStatefulSet() {}

  public static StatefulSet desired(VectorShardCluster vsc, int ordinal, String clusterDomain) {
    String name = ClusterResources.shard(vsc.getMetadata().getName(), ordinal);
    RedisSpec redis = vsc.getSpec().getRedis();
    StorageSpec storage = redis.getStorage() == null ? new StorageSpec() : redis.getStorage();
    List<Volume> volumes = new ArrayList<>(List.of(
        new VolumeBuilder().withName("config").withNewConfigMap()
            .withName(ClusterResources.redisConfig(vsc.getMetadata().getName())).endConfigMap().build(),
        new VolumeBuilder().withName("run").withNewEmptyDir().withMedium("Memory").endEmptyDir().build()));
    if (storage.isEphemeral()) {
      volumes.add(new VolumeBuilder().withName("data").withNewEmptyDir().endEmptyDir().build());
    }
    String retention = storage.getRetention().name();
    return new StatefulSetBuilder()
        .withMetadata(ClusterResources.owned(vsc, name, ClusterResources.shardLabels(vsc, ordinal)))
        .withNewSpec()
          .withServiceName(name)
          .withReplicas(1 + redis.getReplicas())
          .withNewSelector().withMatchLabels(ClusterResources.shardSelector(vsc, ordinal)).endSelector()
          .withNewPersistentVolumeClaimRetentionPolicy().withWhenDeleted(retention).withWhenScaled(retention)
          .endPersistentVolumeClaimRetentionPolicy()
          .withVolumeClaimTemplates(storage.isEphemeral() ? List.of() : List.of(claim(storage)))
          .withNewTemplate()
            .withNewMetadata()
              .withLabels(ClusterResources.shardLabels(vsc, ordinal))
              .withAnnotations(Map.of(CONFIG_HASH_ANNOTATION, RedisConfig.hash(redis)))
            .endMetadata()
            .withNewSpec()
              .withTerminationGracePeriodSeconds(60L)
              .withNewSecurityContext()
                .withRunAsNonRoot(true).withRunAsUser(REDIS_UID).withRunAsGroup(REDIS_UID).withFsGroup(REDIS_UID)
                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
              .endSecurityContext()
              .withNewAffinity().withNewPodAntiAffinity()
                // Spread the cluster's shards over nodes when the scheduler can.
                .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(100)
                  .withNewPodAffinityTerm().withTopologyKey("kubernetes.io/hostname")
                    .withNewLabelSelector().withMatchLabels(ClusterResources.shardPodSelector(vsc)).endLabelSelector()
                  .endPodAffinityTerm()
                .endPreferredDuringSchedulingIgnoredDuringExecution()
              .endPodAntiAffinity().endAffinity()
              .withContainers(container(vsc, ordinal, clusterDomain))
              .withVolumes(volumes)
            .endSpec()
          .endTemplate()
        .endSpec()
        .build();
  }

  private static Container container(VectorShardCluster vsc, int ordinal, String clusterDomain) {
    RedisSpec redis = vsc.getSpec().getRedis();
    String secret = ClusterResources.passwordSecret(vsc);
    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(redis.getImage())
        .withCommand("sh", "-c", START_SCRIPT)
        .withEnv(secretEnv("REDIS_PASSWORD", secret), secretEnv("REDISCLI_AUTH", secret),
            secretEnv("ROUTER_PASSWORD", ClusterResources.routerSecret(vsc.getMetadata().getName())),
            new EnvVarBuilder().withName("ROUTER_USER").withValue(ShardAcl.ROUTER_USER).build(),
            new EnvVarBuilder().withName("ROUTER_ACL_RULES").withValue(ShardAcl.ROUTER_RULES).build(),
            new EnvVarBuilder().withName("PRIMARY_HOST").withValue(ClusterResources.primaryHost(vsc, ordinal, clusterDomain)).build())
        .addNewPort().withName("redis").withContainerPort(ClusterResources.REDIS_PORT).endPort()
        .withResources(redis.getResources() != null ? redis.getResources() : DEFAULT_RESOURCES)
        // Loading a large AOF can take minutes: the startup probe allows 10, then liveness takes over.
        .withStartupProbe(ping(10, 60))
        .withReadinessProbe(ping(5, 3))
        .withLivenessProbe(ping(10, 6))
        .withNewSecurityContext()
          .withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
          .withNewCapabilities().withDrop("ALL").endCapabilities()
        .endSecurityContext()
        .addNewVolumeMount().withName("config").withMountPath(RedisConfig.MOUNT).withReadOnly(true).endVolumeMount()
        .addNewVolumeMount().withName("run").withMountPath("/run/vectorshard").endVolumeMount()
        .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
        .build();
  }

  private static EnvVar secretEnv(String name, String secret) {
    return new EnvVarBuilder().withName(name).withNewValueFrom()
        .withNewSecretKeyRef().withName(secret).withKey(PasswordSecret.KEY).endSecretKeyRef()
        .endValueFrom().build();
  }

  private static Probe ping(int periodSeconds, int failureThreshold) {
    return new ProbeBuilder().withNewExec().withCommand("sh", "-c", PING).endExec()
        .withPeriodSeconds(periodSeconds).withTimeoutSeconds(3).withFailureThreshold(failureThreshold).build();
  }

  private static PersistentVolumeClaim claim(StorageSpec storage) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName("data").endMetadata()
        .withNewSpec()
          .withAccessModes("ReadWriteOnce")
          .withStorageClassName(storage.getStorageClassName())
          .withNewResources().addToRequests("storage", new Quantity(storage.getSize())).endResources()
        .endSpec()
        .build();
  }
}
