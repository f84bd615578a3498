package io.vectorshard.router;

import io.vectorshard.core.redis.ShardCredentials;
import io.vectorshard.core.routing.RouterEnvironment;
import io.vectorshard.router.query.QueryLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.HostAndPort;

/**
 * Settings of one router process, read from the environment variables of {@link RouterEnvironment}
 * (what the sidecar injector and {@code vsc local} set). Every setting has a safe default except
 * the seeds.
 *
 * @param host address the HTTP API listens on; loopback unless deliberately opened
 * @param port HTTP port
 * @param seeds shard addresses to bootstrap the routing table from
 * @param credentials who the router is on the shards (their router ACL user, {@link ShardCredentials#router})
 * @param shardTimeout deadline of one shard call (socket timeout and fan-out wait)
 * @param limits what one query may cost a shard (topK, ef, filters, vector sets per shard)
 * @param maxBatch most vectors in one batch upsert
 * @param maxConnectionsPerShard connection pool size per shard
 * @param http what the HTTP layer gives clients at most (bodies, connections, threads, data rate, memory)
 * @param tableCheckInterval how often the table's epoch is polled as a fallback to announcements
 */
public record RouterConfig(String host, int port, List<HostAndPort> seeds, ShardCredentials credentials,
    Duration shardTimeout,
    QueryLimits limits, int maxBatch, int maxConnectionsPerShard, HttpLimits http, Duration tableCheckInterval) {

  public RouterConfig {
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("at least one seed shard address is needed (" + RouterEnvironment.SEEDS.variable() + "=host:port,...)");
    }
    seeds = List.copyOf(seeds);
  }

  public static RouterConfig defaults(List<HostAndPort> seeds) {
    return new RouterConfig("127.0.0.1", 8080, seeds, ShardCredentials.NONE, Duration.ofMillis(1000), QueryLimits.DEFAULTS, 1000, 32,
        HttpLimits.defaults(), Duration.ofSeconds(5));
  }

  public RouterConfig withPort(int newPort) {
    return new RouterConfig(host, newPort, seeds, credentials, shardTimeout, limits, maxBatch, maxConnectionsPerShard,
        http, tableCheckInterval);
  }

  public RouterConfig withCredentials(ShardCredentials who) {
    return new RouterConfig(host, port, seeds, who, shardTimeout, limits, maxBatch, maxConnectionsPerShard,
        http, tableCheckInterval);
  }

  public RouterConfig withHttp(HttpLimits newHttp) {
    return new RouterConfig(host, port, seeds, credentials, shardTimeout, limits, maxBatch, maxConnectionsPerShard,
        newHttp, tableCheckInterval);
  }

  public RouterConfig withLimits(QueryLimits newLimits) {
    return new RouterConfig(host, port, seeds, credentials, shardTimeout, newLimits, maxBatch, maxConnectionsPerShard,
        http, tableCheckInterval);
  }

  public RouterConfig withShardTimeout(Duration timeout) {
    return new RouterConfig(host, port, seeds, credentials, timeout, limits, maxBatch, maxConnectionsPerShard,
        http, tableCheckInterval);
  }

  /** Reads the variables of {@link RouterEnvironment}; see the configuration reference in README.md. */
  public static RouterConfig fromEnvironment(Map<String, String> env) {
    String seedList = RouterEnvironment.SEEDS.in(env).orElseThrow(() -> new IllegalArgumentException(
        RouterEnvironment.SEEDS.variable() + " is required: comma-separated host:port of shards"));
    RouterConfig d = defaults(parseSeeds(seedList));
    return new RouterConfig(
        RouterEnvironment.HOST.in(env).orElse(d.host()),
        RouterEnvironment.PORT.intIn(env, d.port()),
        d.seeds(),
        new ShardCredentials(RouterEnvironment.REDIS_USER.in(env).orElse(null),
            RouterEnvironment.REDIS_PASSWORD.in(env).orElse(null)),
        Duration.ofMillis(RouterEnvironment.SHARD_TIMEOUT_MS.intIn(env, (int) d.shardTimeout().toMillis())),
        new QueryLimits(
            RouterEnvironment.MAX_TOP_K.intIn(env, d.limits().maxTopK()),
            RouterEnvironment.MAX_EF.intIn(env, d.limits().maxEf()),
            RouterEnvironment.MAX_SEARCH_COST.intIn(env, (int) d.limits().maxSearchCost()),
            RouterEnvironment.MAX_FILTER_LENGTH.intIn(env, d.limits().maxFilterLength()),
            RouterEnvironment.MAX_FILTER_WORK.intIn(env, (int) d.limits().maxFilterWork()),
            RouterEnvironment.MAX_KEYS_PER_SHARD.intIn(env, d.limits().maxKeysPerShard()),
            RouterEnvironment.SEARCH_BUDGET_PER_SHARD.intIn(env, d.limits().searchBudgetPerShard())),
        RouterEnvironment.MAX_BATCH.intIn(env, d.maxBatch()),
        RouterEnvironment.MAX_CONNECTIONS_PER_SHARD.intIn(env, d.maxConnectionsPerShard()),
        new HttpLimits(
            RouterEnvironment.MAX_REQUEST_BYTES.intIn(env, (int) d.http().maxRequestBytes()),
            RouterEnvironment.MAX_HTTP_CONNECTIONS.intIn(env, d.http().maxConnections()),
            RouterEnvironment.HTTP_THREADS.intIn(env, d.http().threads()),
            RouterEnvironment.MIN_REQUEST_BYTES_PER_SECOND.intIn(env, (int) d.http().minRequestBytesPerSecond()),
            RouterEnvironment.MAX_BODY_MEMORY_BYTES.longIn(env, d.http().maxBodyMemoryBytes())),
        Duration.ofMillis(RouterEnvironment.TABLE_CHECK_INTERVAL_MS.intIn(env, (int) d.tableCheckInterval().toMillis())));
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
}
