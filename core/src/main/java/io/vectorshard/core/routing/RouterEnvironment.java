package io.vectorshard.core.routing;

import io.vectorshard.api.RouterSpec;
import io.vectorshard.core.redis.ShardAcl;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a router process is configured: the environment variables the router reads and the
 * launchers write (local mode starts router processes; sidecar injection will add router
 * containers). Kept here, away from the router, so a launcher never has to depend on the router
 * to spell its settings. README.md, "Router configuration", lists them with their defaults.
 */
public enum RouterEnvironment {
  SEEDS("VSC_ROUTER_SEEDS"),
  HOST("VSC_ROUTER_HOST"),
  PORT("VSC_ROUTER_PORT"),
  /** The shards' ACL user the router authenticates as; unset: Redis's {@code default} user. */
  REDIS_USER("VSC_REDIS_USER"),
  REDIS_PASSWORD("VSC_REDIS_PASSWORD"),
  SHARD_TIMEOUT_MS("VSC_ROUTER_SHARD_TIMEOUT_MS"),
  MAX_TOP_K("VSC_ROUTER_MAX_TOP_K"),
  MAX_EF("VSC_ROUTER_MAX_EF"),
  MAX_SEARCH_COST("VSC_ROUTER_MAX_SEARCH_COST"),
  MAX_FILTER_LENGTH("VSC_ROUTER_MAX_FILTER_LENGTH"),
  MAX_FILTER_WORK("VSC_ROUTER_MAX_FILTER_WORK"),
  MAX_KEYS_PER_SHARD("VSC_ROUTER_MAX_KEYS_PER_SHARD"),
  SEARCH_BUDGET_PER_SHARD("VSC_ROUTER_SEARCH_BUDGET_PER_SHARD"),
  MAX_BATCH("VSC_ROUTER_MAX_BATCH"),
  MAX_CONNECTIONS_PER_SHARD("VSC_ROUTER_MAX_CONNECTIONS_PER_SHARD"),
  MAX_REQUEST_BYTES("VSC_ROUTER_MAX_REQUEST_BYTES"),
  MAX_HTTP_CONNECTIONS("VSC_ROUTER_MAX_HTTP_CONNECTIONS"),
  HTTP_THREADS("VSC_ROUTER_HTTP_THREADS"),
  MIN_REQUEST_BYTES_PER_SECOND("VSC_ROUTER_MIN_REQUEST_BYTES_PER_SECOND"),
  MAX_BODY_MEMORY_BYTES("VSC_ROUTER_MAX_BODY_MEMORY_BYTES"),
  TABLE_CHECK_INTERVAL_MS("VSC_ROUTER_TABLE_CHECK_INTERVAL_MS");

  private final String variable;

  RouterEnvironment(String variable) {
    this.variable = variable;
  }

  /** The environment variable's name. */
  public String variable() {
    return variable;
  }

  /** This setting's value in {@code env}, if set to something other than blanks. */
  public Optional<String> in(Map<String, String> env) {
    return Optional.ofNullable(env.get(variable)).filter(v -> !v.isBlank()).map(String::strip);
  }

  /** This setting as a non-negative integer, {@code fallback} when unset; a clear error when malformed. */
  public int intIn(Map<String, String> env, int fallback) {
    long value = longIn(env, fallback);
    if (value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(variable + " must be at most " + Integer.MAX_VALUE + ", got \"" + value + "\"");
    }
    return (int) value;
  }

  /** This setting as a non-negative long integer, {@code fallback} when unset; a clear error when malformed. */
  public long longIn(Map<String, String> env, long fallback) {
    return in(env).map(value -> {
      try {
        long parsed = Long.parseLong(value);
        if (parsed >= 0) {
          return parsed;
        }
      } catch (NumberFormatException ignored) {
        // reported below, with the variable's name
      }
      throw new IllegalArgumentException(variable + " must be a non-negative integer, got \"" + value + "\"");
    }).orElse(fallback);
  }

  /**
   * The settings a router serving a cluster gets from the cluster's spec, listening on {@code host}
   * and loading the routing table from {@code seeds}, as the router's ACL user. The password is not
   * among them: each launcher passes it its own way (a Secret reference on Kubernetes).
   */
  public static Map<String, String> forCluster(RouterSpec router, List<ShardEndpoint> seeds, String host) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(SEEDS.variable, String.join(",", seeds.stream().map(ShardEndpoint::address).toList()));
    env.put(HOST.variable, host);
    env.put(REDIS_USER.variable, ShardAcl.ROUTER_USER);
    env.put(PORT.variable, Integer.toString(router.getPort()));
    env.put(SHARD_TIMEOUT_MS.variable, Integer.toString(router.getShardTimeoutMs()));
    env.put(MAX_TOP_K.variable, Integer.toString(router.getMaxTopK()));
    env.put(MAX_BATCH.variable, Integer.toString(router.getMaxBatch()));
    return env;
  }
}
