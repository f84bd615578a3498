package io.vectorshard.bench;

import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.core.redis.ShardConnections;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.routing.ShardEndpoint;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;

/**
 * A plain Jedis connection to one shard, the "no router" baseline: raw {@code VSIM} and
 * {@code VADD} commands, no epoch check, no function library. RESP2, like the router's clients.
 */
final class DirectShard implements AutoCloseable {
  /** A VSIM hit, tagged with the tenant whose key answered it. */
  record Hit(String tenant, String id, double score) {}

  final ShardEndpoint endpoint;
  final Jedis jedis;
  /** The keys this shard holds for the query at hand, with their tenants (insertion ordered). */
  private final Map<String, String> tenantOfKey;

  DirectShard(ShardEndpoint endpoint, Map<String, String> tenantOfKey) {
    this.endpoint = endpoint;
    this.jedis = open(endpoint);
    this.tenantOfKey = new LinkedHashMap<>(tenantOfKey);
  }

  static Jedis open(ShardEndpoint endpoint) {
    return new Jedis(new HostAndPort(endpoint.host(), endpoint.port()),
        ShardConnections.clientConfig(RedisShards.ADMIN, 5_000, 30_000, "vsc-bench-direct"));
  }

  int keyCount() {
    return tenantOfKey.size();
  }

  /** {@code VSIM key FP32 blob WITHSCORES COUNT k EF ef}, as arguments ready to send. */
  static byte[][] vsimArgs(String key, byte[] blob, int count, int ef) {
    return new byte[][] {bytes(key), bytes("FP32"), blob, bytes("WITHSCORES"), bytes("COUNT"),
        bytes(Integer.toString(count)), bytes("EF"), bytes(Integer.toString(ef))};
  }

  /** One pipelined round trip: VSIM on every key of this shard. */
  List<Hit> query(byte[] blob, int count, int ef) {
    Pipeline pipeline = jedis.pipelined();
    List<Response<Object>> replies = new ArrayList<>(tenantOfKey.size());
    for (String key : tenantOfKey.keySet()) {
      replies.add(pipeline.sendCommand(Protocol.Command.VSIM, vsimArgs(key, blob, count, ef)));
    }
    pipeline.sync();
    List<Hit> hits = new ArrayList<>();
    int i = 0;
    for (String tenant : tenantOfKey.values()) {
      parse(tenant, replies.get(i++).get(), hits);
    }
    return hits;
  }

  /** Parses a RESP2 {@code VSIM ... WITHSCORES} reply (flat id, score pairs) into hits. */
  static void parse(String tenant, Object reply, List<Hit> into) {
    if (!(reply instanceof List<?> flat)) {
      throw new IllegalStateException("unexpected VSIM reply: " + reply);
    }
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      into.add(new Hit(tenant, string(flat.get(i)), Double.parseDouble(string(flat.get(i + 1)))));
    }
  }

  static String string(Object reply) {
    return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    jedis.close();
  }
}
