package io.vectorshard.operator.kubernetes.model;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.vectorshard.api.VectorShardCluster;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Names, labels and owner references of everything the operator creates for one cluster. Every
 * object is owned by the {@code VectorShardCluster}, so deleting it lets Kubernetes collect them.
 */
public final class ClusterResources {
  public static final String MANAGED_BY = "vectorshard-operator";
  /** Selector the operator's informers use, so they cache only what it created. */
  public static final String MANAGED_SELECTOR = "app.kubernetes.io/managed-by=" + MANAGED_BY;
  public static final String CLUSTER_LABEL = "vectorshard.io/cluster";
  public static final String SHARD_LABEL = "vectorshard.io/shard";
  public static final int REDIS_PORT = 6379;

  private ClusterResources() {}

  public static String shard(String cluster, int ordinal) {
    return cluster + "-shard-" + ordinal;
  }

  public static String redisConfig(String cluster) {
    return cluster + "-redis-config";
  }

  public static String routing(String cluster) {
    return cluster + "-routing";
  }

  public static String disruptionBudget(String cluster) {
    return cluster + "-shards";
  }

  public static String generatedPasswordSecret(String cluster) {
    return cluster + "-redis-auth";
  }

  /** The generated password of the shards' router user ({@code vsc-router}); there is no spec field for it. */
  public static String routerSecret(String cluster) {
    return cluster + "-router-auth";
  }

  /** The Secret holding the Redis password: the one the spec names, or the generated one. */
  public static String passwordSecret(VectorShardCluster vsc) {
    String named = vsc.getSpec().getRedis().getPasswordSecret();
    return named != null ? named : generatedPasswordSecret(vsc.getMetadata().getName());
  }

  /** The shard ordinal a shard resource name ends in, or -1 when it is not one of the cluster's. */
  public static int ordinalOf(String cluster, String name) {
    String prefix = cluster + "-shard-";
    if (name == null || !name.startsWith(prefix)) {
      return -1;
    }
    try {
      return Integer.parseInt(name.substring(prefix.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Stable DNS name of a shard's primary pod (pod 0 of its StatefulSet, via the headless Service). */
  public static String primaryHost(VectorShardCluster vsc, int ordinal, String clusterDomain) {
    String name = shard(vsc.getMetadata().getName(), ordinal);
    return name + "-0." + name + "." + vsc.getMetadata().getNamespace() + ".svc." + clusterDomain;
  }

  public static Map<String, String> clusterLabels(VectorShardCluster vsc) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "vectorshard");
    labels.put("app.kubernetes.io/instance", vsc.getMetadata().getName());
    labels.put("app.kubernetes.io/managed-by", MANAGED_BY);
    labels.put(CLUSTER_LABEL, vsc.getMetadata().getName());
    return labels;
  }

  /** Labels selecting every shard pod of the cluster (the PDB's and the scale subresource's selector). */
  public static Map<String, String> shardPodSelector(VectorShardCluster vsc) {
    return Map.of(CLUSTER_LABEL, vsc.getMetadata().getName(), "app.kubernetes.io/component", "shard");
  }

  /** Labels selecting the pods of one shard. */
  public static Map<String, String> shardSelector(VectorShardCluster vsc, int ordinal) {
    Map<String, String> labels = new LinkedHashMap<>(shardPodSelector(vsc));
    labels.put(SHARD_LABEL, Integer.toString(ordinal));
    return labels;
  }

  public static Map<String, String> shardLabels(VectorShardCluster vsc, int ordinal) {
    Map<String, String> labels = clusterLabels(vsc);
    labels.putAll(shardSelector(vsc, ordinal));
    return labels;
  }

  /** Metadata of an object owned by the cluster. */
  public static ObjectMeta owned(VectorShardCluster vsc, String name, Map<String, String> labels) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(vsc.getMetadata().getNamespace())
        .withLabels(labels)
        .withOwnerReferences(ownerReference(vsc))
        .build();
  }

  public static OwnerReference ownerReference(VectorShardCluster vsc) {
    return new OwnerReferenceBuilder()
        .withApiVersion(vsc.getApiVersion())
        .withKind(vsc.getKind())
        .withName(vsc.getMetadata().getName())
        .withUid(vsc.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
