package io.vectorshard.operator.kubernetes.model;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.vectorshard.api.VectorShardCluster;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Map;

/**
 * A generated shard password, one per Redis ACL user: the administrator's ({@code <name>-redis-auth},
 * only when the spec names no Secret of its own) and the router's ({@code <name>-router-auth},
 * always). Created once, never rotated.
 */
public final class PasswordSecret {
  public static final String KEY = "password";

  private PasswordSecret() {}

  /** The Secret named {@code name}, owned by the cluster, holding {@code password}. */
  public static Secret desired(VectorShardCluster vsc, String name, String password) {
    return new SecretBuilder()
        .withMetadata(ClusterResources.owned(vsc, name, ClusterResources.clusterLabels(vsc)))
        .withType("Opaque")
        // data, not stringData: readers (and the mock API server in tests) see the same field.
        .withData(Map.of(KEY, Base64.getEncoder().encodeToString(password.getBytes(StandardCharsets.UTF_8))))
        .build();
  }

  /** The password in a Secret, from {@code data} (base64) or, before the API server merged it, {@code stringData}. */
  public static Optional<String> read(Secret secret) {
    if (secret == null) {
      return Optional.empty();
    }
    if (secret.getData() != null && secret.getData().get(KEY) != null) {
      return Optional.of(new String(Base64.getDecoder().decode(secret.getData().get(KEY)), StandardCharsets.UTF_8));
    }
    return Optional.ofNullable(secret.getStringData() == null ? null : secret.getStringData().get(KEY));
  }
}
