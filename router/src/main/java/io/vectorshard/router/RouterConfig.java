package io.vectorshard.router;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.HostAndPort;

/**
 * Settings of one router process, read from environment variables (what the sidecar injector and
 * {@code vsc local} set). Every setting has a safe default except the seeds.
 *
 * @param host address the HTTP API listens on; loopback unless deliberately opened
 * @param port HTTP port
 * @param seeds shard addresses to bootstrap the routing table from
 * @param password Redis password, or null
 * @param shardTimeout deadline of one shard call (socket timeout and fan-out wait)
 * @param maxTopK largest topK a query may ask for
 * @param maxBatch most vectors in one batch upsert
 * @param maxConnectionsPerShard connection pool size per shard
 * @param maxRequestBytes largest HTTP body accepted
 * @param tableCheckInterval how often the table's epoch is polled as a fallback to announcements
 */
public record RouterConfig(String host, int port, List<HostAndPort> seeds, String password, Duration shardTimeout,
    int maxTopK, int maxBatch, int maxConnectionsPerShard, long maxRequestBytes, Duration tableCheckInterval) {

  public static final String ENV_PREFIX = "VSC_ROUTER_";

  public RouterConfig {
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("at least one seed shard address is needed (" + ENV_PREFIX + "SEEDS=host:port,...)");
    }
    seeds = List.copyOf(seeds);
  }

  public static RouterConfig defaults(List<HostAndPort> seeds) {
    return new RouterConfig("127.0.0.1", 8080, seeds, null, Duration.ofMillis(1000), 1000, 1000, 32,
        32L * 1024 * 1024, Duration.ofSeconds(5));
  }

  public RouterConfig withPort(int newPort) {
    return new RouterConfig(host, newPort, seeds, password, shardTimeout, maxTopK, maxBatch, maxConnectionsPerShard,
        maxRequestBytes, tableCheckInterval);
  }

  public RouterConfig withShardTimeout(Duration timeout) {
    return new RouterConfig(host, port, seeds, password, timeout, maxTopK, maxBatch, maxConnectionsPerShard,
        maxRequestBytes, tableCheckInterval);
  }

  /** Reads {@code VSC_ROUTER_*} variables; see the configuration reference in README.md. */
  public static RouterConfig fromEnvironment(Map<String, String> env) {
    String seedList = env.get(ENV_PREFIX + "SEEDS");
    if (seedList == null || seedList.isBlank()) {
      throw new IllegalArgumentException(ENV_PREFIX + "SEEDS is required: comma-separated host:port of shards");
    }
    RouterConfig d = defaults(parseSeeds(seedList));
    return new RouterConfig(
        env.getOrDefault(ENV_PREFIX + "HOST", d.host()),
        intValue(env, "PORT", d.port()),
        d.seeds(),
        env.getOrDefault("VSC_REDIS_PASSWORD", null),
        Duration.ofMillis(intValue(env, "SHARD_TIMEOUT_MS", (int) d.shardTimeout().toMillis())),
        intValue(env, "MAX_TOP_K", d.maxTopK()),
        intValue(env, "MAX_BATCH", d.maxBatch()),
        intValue(env, "MAX_CONNECTIONS_PER_SHARD", d.maxConnectionsPerShard()),
        intValue(env, "MAX_REQUEST_BYTES", (int) d.maxRequestBytes()),
        Duration.ofMillis(intValue(env, "TABLE_CHECK_INTERVAL_MS", (int) d.tableCheckInterval().toMillis())));
  }

  public static List<HostAndPort> parseSeeds(String list) {
    List<HostAndPort> seeds = new ArrayList<>();
    for (String part : list.split(",")) {
      String s = part.trim();
      if (s.isEmpty()) {
        continue;
      }
      int colon = s.lastIndexOf(':');
      if (colon <= 0 || colon == s.length() - 1) {
        throw new IllegalArgumentException("seed \"" + s + "\" is not host:port");
      }
      seeds.add(new HostAndPort(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1))));
    }
    return seeds;
  }

  private static int intValue(Map<String, String> env, String name, int fallback) {
    String value = env.get(ENV_PREFIX + name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed < 0) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(ENV_PREFIX + name + " must be a non-negative integer, got \"" + value + "\"");
    }
  }
}
