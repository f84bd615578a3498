package io.vectorshard.core.spec;

import io.vectorshard.api.PlacementSpec;
import io.vectorshard.api.RouterSpec;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.api.VectorsSpec;
import io.vectorshard.core.routing.VectorSettings;
import io.vectorshard.core.tenant.Names;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The checks a spec must pass before anything acts on it. Returns every problem at once, so a user
 * fixes the file in one go. The operator reports the same list as a condition.
 */
public final class SpecValidation {
  public static final int MAX_SHARDS = 1024;
  public static final int MAX_BUCKETS = 1024;

  private SpecValidation() {}

  public static void requireValid(VectorShardCluster manifest) {
    List<String> problems = new ArrayList<>();
    String name = manifest.getMetadata() == null ? null : manifest.getMetadata().getName();
    if (name == null || !Names.CLUSTER.matcher(name).matches()) {
      problems.add("metadata.name must be a DNS label of at most 42 characters (" + Names.CLUSTER.pattern() + ")");
    }
    problems.addAll(problems(manifest.getSpec()));
    if (!problems.isEmpty()) {
      throw new InvalidSpecException("invalid VectorShardCluster: " + String.join("; ", problems));
    }
  }

  public static List<String> problems(VectorShardClusterSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      return List.of("spec is missing");
    }
    if (spec.getShards() < 1 || spec.getShards() > MAX_SHARDS) {
      problems.add("spec.shards must be 1.." + MAX_SHARDS + ", got " + spec.getShards());
    }
    VectorsSpec vectors = spec.getVectors();
    if (vectors == null || vectors.getDimensions() < 1 || vectors.getDimensions() > VectorSettings.MAX_DIMENSIONS) {
      problems.add("spec.vectors.dimensions must be 1.." + VectorSettings.MAX_DIMENSIONS);
    } else {
      if (vectors.getM() < 2 || vectors.getM() > 512) {
        problems.add("spec.vectors.m must be 2..512, got " + vectors.getM());
      }
      if (vectors.getEfConstruction() < 1 || vectors.getEfConstruction() > 100000) {
        problems.add("spec.vectors.efConstruction must be 1..100000, got " + vectors.getEfConstruction());
      }
    }
    placementProblems(spec.getShards(), spec.getPlacement(), problems);
    if (spec.getRedis() != null && spec.getRedis().getConfig() != null) {
      spec.getRedis().getConfig().forEach((key, value) -> configProblem(key, value, problems));
    }
    RouterSpec router = spec.getRouter();
    if (router != null) {
      if (router.getPort() < 1 || router.getPort() > 65535) {
        problems.add("spec.router.port must be 1..65535");
      }
      if (router.getShardTimeoutMs() < 1) {
        problems.add("spec.router.shardTimeoutMs must be >= 1");
      }
      if (router.getMaxTopK() < 1 || router.getMaxBatch() < 1) {
        problems.add("spec.router.maxTopK and maxBatch must be >= 1");
      }
    }
    return problems;
  }

  private static void placementProblems(int shards, PlacementSpec placement, List<String> problems) {
    if (placement == null) {
      return;
    }
    if (placement.getDefaultBuckets() < 1 || placement.getDefaultBuckets() > MAX_BUCKETS) {
      problems.add("spec.placement.defaultBuckets must be 1.." + MAX_BUCKETS);
    }
    Set<String> seen = new HashSet<>();
    for (PlacementSpec.PinnedTenant pin : placement.getPinned()) {
      tenantProblem("spec.placement.pinned", pin.getTenant(), seen, problems);
      if (pin.getShards() == null || pin.getShards().isEmpty()) {
        problems.add("spec.placement.pinned: tenant " + pin.getTenant() + " lists no shards");
      } else {
        for (int ordinal : pin.getShards()) {
          if (ordinal < 0 || ordinal >= shards) {
            problems.add("spec.placement.pinned: tenant " + pin.getTenant() + " is pinned to shard " + ordinal
                + ", which does not exist (shards are 0.." + (shards - 1) + ")");
          }
        }
      }
    }
    Set<String> spread = new HashSet<>();
    for (PlacementSpec.SpreadTenant s : placement.getSpread()) {
      tenantProblem("spec.placement.spread", s.getTenant(), spread, problems);
      if (s.getBuckets() < 1 || s.getBuckets() > MAX_BUCKETS) {
        problems.add("spec.placement.spread: tenant " + s.getTenant() + " buckets must be 1.." + MAX_BUCKETS);
      }
    }
  }

  /**
   * Directives that the operator and local mode set themselves; overriding them would break
   * persistence, authentication, replication or the port routers connect to.
   */
  public static final Set<String> MANAGED_DIRECTIVES = Set.of("port", "bind", "dir", "include", "appendonly",
      "aof-use-rdb-preamble", "requirepass", "masterauth", "masteruser", "replicaof", "slaveof", "protected-mode",
      "daemonize", "pidfile", "logfile", "unixsocket", "aclfile", "rename-command", "enable-debug-command",
      "enable-module-command", "loadmodule");
  private static final java.util.regex.Pattern DIRECTIVE = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,63}");

  private static void configProblem(String key, String value, List<String> problems) {
    if (key == null || !DIRECTIVE.matcher(key).matches()) {
      problems.add("spec.redis.config: \"" + key + "\" is not a redis.conf directive name (" + DIRECTIVE.pattern() + ")");
    } else if (MANAGED_DIRECTIVES.contains(key)) {
      problems.add("spec.redis.config: " + key + " is set by vectorshard and cannot be overridden");
    } else if (value == null || value.isBlank() || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      problems.add("spec.redis.config: the value of " + key + " must be one non-empty line");
    }
  }

  private static void tenantProblem(String where, String tenant, Set<String> seen, List<String> problems) {
    if (tenant == null || !Names.TENANT.matcher(tenant).matches()) {
      problems.add(where + ": tenant \"" + tenant + "\" must match " + Names.TENANT.pattern());
    } else if (!seen.add(tenant)) {
      problems.add(where + ": tenant " + tenant + " is listed twice");
    }
  }
}
