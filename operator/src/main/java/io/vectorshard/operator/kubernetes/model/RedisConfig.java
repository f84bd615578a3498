package io.vectorshard.operator.kubernetes.model;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.vectorshard.api.RedisSpec;
import io.vectorshard.api.VectorShardCluster;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The shards' {@code redis.conf}, in the {@code <name>-redis-config} ConfigMap. Persistence is AOF
 * with an RDB preamble (docs/architecture.md, "Write path": with {@code aof-use-rdb-preamble no} AOF rewrites crash
 * with vector sets), and only when the spec gives the shards storage.
 */
public final class RedisConfig {
  public static final String FILE = "redis.conf";
  public static final String MOUNT = "/etc/vectorshard";
  /** Written by the container at start from the password Secret, so the password is in no ConfigMap. */
  public static final String AUTH_FILE = "/run/vectorshard/auth.conf";

  private RedisConfig() {}

  public static String render(RedisSpec redis) {
    StringBuilder conf = new StringBuilder()
        .append("# Managed by the vectorshard operator; extra directives come from spec.redis.config.\n")
        .append("port ").append(ClusterResources.REDIS_PORT).append('\n')
        .append("bind * -::*\n")
        .append("protected-mode no\n")
        .append("dir /data\n")
        .append("include ").append(AUTH_FILE).append('\n');
    if (redis.getStorage() == null || !redis.getStorage().isEphemeral()) {
      conf.append("appendonly yes\nappendfsync everysec\naof-use-rdb-preamble yes\n");
    } else {
      conf.append("appendonly no\nsave \"\"\n");
    }
    for (Map.Entry<String, String> directive : redis.getConfig().entrySet()) {
      conf.append(directive.getKey()).append(' ').append(directive.getValue()).append('\n');
    }
    return conf.toString();
  }

  public static ConfigMap desired(VectorShardCluster vsc) {
    return new ConfigMapBuilder()
        .withMetadata(ClusterResources.owned(vsc, ClusterResources.redisConfig(vsc.getMetadata().getName()),
            ClusterResources.clusterLabels(vsc)))
        .withData(Map.of(FILE, render(vsc.getSpec().getRedis())))
        .build();
  }

  /** Goes into the pod template, so a config change rolls the shards' pods. */
  public static String hash(RedisSpec redis) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(render(redis).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
