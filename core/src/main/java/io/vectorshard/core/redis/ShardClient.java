package io.vectorshard.core.redis;

import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.routing.VectorSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The data path to one shard, what routers do: one method per operation, each a single pipelined
 * round trip on the shard's pooled {@link ShardConnections}. Writes go through the fenced function
 * library; reads are plain {@code VSIM} pipelined with {@code GET vsc:epoch} (never VSIM inside a
 * script: it would block). The control plane's calls are {@link #admin()}.
 *
 * <p>Every call has a deadline (see {@link ShardConnections}), the timeout given at construction or
 * {@link #withTimeout}. Every failure surfaces as a {@link ShardException} naming the shard, a {@link StaleEpochException},
 * or a {@link FilterSyntaxException}.
 */
public final class ShardClient implements AutoCloseable {
  /** Elements per FCALL in a batch: large enough to amortize the call, small enough not to stall. */
  static final int UPSERT_CHUNK = 64;

  private final ShardConnections connections;

  public ShardClient(ShardEndpoint endpoint, ShardCredentials credentials, Duration timeout, int maxConnections) {
    this(endpoint, credentials, timeout, maxConnections, false);
  }

  /**
   * @param validateOnBorrow PING a pooled connection before each use and replace it if the server
   *     restarted meanwhile, for clients kept idle between rare calls (the operator's); the router,
   *     whose connections are busy and whose calls are retried, does without the extra round trip
   */
  public ShardClient(ShardEndpoint endpoint, ShardCredentials credentials, Duration timeout, int maxConnections,
      boolean validateOnBorrow) {
    this(new ShardConnections(endpoint, credentials, timeout, maxConnections, validateOnBorrow));
  }

  private ShardClient(ShardConnections connections) {
    this.connections = connections;
  }

  /**
   * This client with another deadline per call (a request's {@code timeoutMs}), sharing the
   * connection pool. Closing the view leaves the pool open.
   */
  public ShardClient withTimeout(Duration callTimeout) {
    ShardConnections view = connections.withTimeout(callTimeout);
    return view == connections ? this : new ShardClient(view);
  }

  /** The control plane's calls to this shard, on the same connections. */
  public ShardAdmin admin() {
    return new ShardAdmin(connections);
  }

  /** The calls that move a bucket between shards, on the same connections. */
  public ShardMoves moves() {
    return new ShardMoves(connections);
  }

  ShardConnections connections() {
    return connections;
  }

  /** The deadline of each call, from its start. */
  public Duration timeout() {
    return connections.timeout();
  }

  public ShardEndpoint endpoint() {
    return connections.endpoint();
  }

  public String id() {
    return connections.id();
  }

  /**
   * One element to write: its bucket key, how the shard treats that key ({@link WriteMode}), id,
   * vector and attributes JSON ("" or null for none).
   */
  public record Write(String key, WriteMode mode, String id, float[] vector, String attributes) {
    /** A write to the key's home, the mode outside transitions. */
    public Write(String key, String id, float[] vector, String attributes) {
      this(key, WriteMode.HOME, id, vector, attributes);
    }
  }

  /** What a shard did with one element of an upsert. */
  public enum Applied {
    CREATED,
    UPDATED,
    /** Not written: the key has moved off this shard ({@link WriteMode#ATOMIC_SOURCE}). */
    MOVED
  }

  /**
   * Upserts elements, pipelining one fenced FCALL per chunk. Returns, per element in order, what
   * the shard did with it.
   */
  public List<Applied> upsert(long epoch, String tenant, VectorSettings settings, List<Write> writes) {
    return connections.call(jedis -> {
      Pipeline pipeline = jedis.pipelined();
      List<Response<Object>> replies = new ArrayList<>();
      for (int from = 0; from < writes.size(); from += UPSERT_CHUNK) {
        List<Write> chunk = writes.subList(from, Math.min(writes.size(), from + UPSERT_CHUNK));
        replies.add(pipeline.fcall(bytes(FunctionLibrary.UPSERT), upsertKeys(chunk), upsertArgs(epoch, tenant, settings, chunk)));
      }
      pipeline.sync();
      List<Applied> applied = new ArrayList<>(writes.size());
      for (Response<Object> reply : replies) {
        for (Object flag : (List<?>) reply.get()) {
          long f = (Long) flag;
          applied.add(f == 1L ? Applied.CREATED : f == 0L ? Applied.UPDATED : Applied.MOVED);
        }
      }
      return applied;
    });
  }

  private static List<byte[]> upsertKeys(List<Write> chunk) {
    List<String> keyOrder = distinctKeys(chunk);
    List<byte[]> keys = new ArrayList<>(1 + keyOrder.size() * 3);
    keys.add(bytes(Keys.TENANTS));
    for (String key : keyOrder) {
      keys.add(bytes(key));
    }
    for (String key : keyOrder) {
      keys.add(bytes(Keys.dirty(key)));
      keys.add(bytes(Keys.tombstones(key)));
    }
    return keys;
  }

  private static List<byte[]> upsertArgs(long epoch, String tenant, VectorSettings settings, List<Write> chunk) {
    List<String> keyOrder = distinctKeys(chunk);
    StringBuilder modes = new StringBuilder(keyOrder.size());
    for (String key : keyOrder) {
      modes.append(chunk.stream().filter(w -> w.key().equals(key)).findFirst().orElseThrow().mode().letter());
    }
    List<byte[]> args = new ArrayList<>(6 + chunk.size() * 4);
    args.add(bytes(Long.toString(epoch)));
    args.add(bytes(tenant));
    args.add(bytes(settings.quantization().name()));
    args.add(bytes(Integer.toString(settings.m())));
    args.add(bytes(Integer.toString(settings.efConstruction())));
    args.add(bytes(modes.toString()));
    for (Write write : chunk) {
      args.add(bytes(Integer.toString(keyOrder.indexOf(write.key()) + 1)));
      args.add(bytes(write.id()));
      args.add(Fp32.encode(write.vector()));
      args.add(bytes(write.attributes() == null ? "" : write.attributes()));
    }
    return args;
  }

  private static List<String> distinctKeys(List<Write> chunk) {
    return chunk.stream().map(Write::key).distinct().toList();
  }

  /**
   * What a removal did: how many ids existed, or that the key has moved off this shard (then
   * nothing was removed here).
   */
  public record Removal(long removed, boolean moved) {}

  /** Removes ids from one bucket key. */
  public Removal remove(long epoch, String key, WriteMode mode, List<String> ids) {
    return connections.call(jedis -> {
      List<byte[]> args = new ArrayList<>();
      args.add(bytes(Long.toString(epoch)));
      args.add(bytes(String.valueOf(mode.letter())));
      ids.forEach(id -> args.add(bytes(id)));
      List<?> flags = (List<?>) jedis.fcall(bytes(FunctionLibrary.REMOVE),
          List.of(bytes(key), bytes(Keys.dirty(key)), bytes(Keys.tombstones(key))), args);
      boolean moved = flags.stream().anyMatch(f -> (Long) f < 0);
      return new Removal(moved ? 0 : flags.stream().mapToLong(f -> (Long) f).sum(), moved);
    });
  }

  /**
   * Deletes a tenant's bucket keys on this shard, with their streaming state. Returns how many keys
   * existed.
   *
   * @param keys each bucket key with the mode of the shard for it ({@link WriteMode#STREAM_TARGET}
   *     leaves a marker so the copier brings nothing back)
   */
  public long dropTenant(long epoch, String tenant, Map<String, WriteMode> keys) {
    return connections.call(jedis -> {
      List<byte[]> keyArgs = new ArrayList<>();
      keyArgs.add(bytes(Keys.TENANTS));
      StringBuilder modes = new StringBuilder();
      keys.forEach((key, mode) -> {
        keyArgs.add(bytes(key));
        keyArgs.add(bytes(Keys.dirty(key)));
        keyArgs.add(bytes(Keys.tombstones(key)));
        modes.append(mode.letter());
      });
      return (Long) jedis.fcall(bytes(FunctionLibrary.DROP_TENANT), keyArgs,
          List.of(bytes(Long.toString(epoch)), bytes(tenant), bytes(modes.toString())));
    });
  }

  private static final byte[] FP32 = bytes("FP32");
  private static final byte[] WITHSCORES = bytes("WITHSCORES");
  private static final byte[] COUNT = bytes("COUNT");
  private static final byte[] EF = bytes("EF");
  private static final byte[] FILTER = bytes("FILTER");
  private static final byte[] FILTER_EF = bytes("FILTER-EF");

  /** A scored element as VSIM returns it. */
  public record Hit(String key, String id, double score) {}

  /**
   * What a query got from this shard: the shard's epoch at read time, the hits of each key, and
   * the keys asked to be checked that no longer exist here (moved away: ask their new shard).
   */
  public record QueryReply(long shardEpoch, Map<String, List<Hit>> hitsByKey, Set<String> absent) {}

  /** {@link #query(List, Set, float[], int, int, String, int)} with no existence checks and Redis's own {@code FILTER-EF}. */
  public QueryReply query(List<String> keys, float[] vector, int count, int ef, String filter) {
    return query(keys, Set.of(), vector, count, ef, filter, 0);
  }

  /**
   * Runs {@code VSIM key FP32 ... WITHSCORES COUNT k EF ef [FILTER f [FILTER-EF n]]} on each key, pipelined with
   * {@code EXISTS} of the keys in {@code checkExists} and {@code GET vsc:epoch} after them. A
   * missing key answers no hits.
   *
   * @param checkExists keys that may have moved off this shard: the source of a move. Checked after
   *     the search, so a key that still exists then was complete during it (a key gone from its
   *     source never comes back there).
   * @param filterEf how many candidates the filter is tried on at most ({@code FILTER-EF}); 0 for
   *     Redis's default ({@code COUNT x 100})
   */
  public QueryReply query(List<String> keys, Set<String> checkExists, float[] vector, int count, int ef, String filter,
      int filterEf) {
    return connections.call(jedis -> {
      Pipeline pipeline = jedis.pipelined();
      byte[] blob = Fp32.encode(vector);
      Map<String, Response<Object>> replies = new LinkedHashMap<>();
      byte[] countArg = bytes(Integer.toString(count));
      byte[] efArg = bytes(Integer.toString(ef));
      byte[] filterArg = filter == null ? null : bytes(filter);
      byte[] filterEfArg = bytes(Integer.toString(filterEf));
      for (String key : keys) {
        byte[][] args = filter == null
            ? new byte[][] {bytes(key), FP32, blob, WITHSCORES, COUNT, countArg, EF, efArg}
            : filterEf == 0
            ? new byte[][] {bytes(key), FP32, blob, WITHSCORES, COUNT, countArg, EF, efArg, FILTER, filterArg}
            : new byte[][] {bytes(key), FP32, blob, WITHSCORES, COUNT, countArg, EF, efArg, FILTER, filterArg, FILTER_EF,
                filterEfArg};
        replies.put(key, pipeline.sendCommand(Protocol.Command.VSIM, args));
      }
      Map<String, Response<Boolean>> exists = new LinkedHashMap<>();
      for (String key : checkExists) {
        exists.put(key, pipeline.exists(key));
      }
      // The epoch is read after the VSIMs. Redis runs VSIM on a worker thread with the client
      // blocked, so a GET sent first is answered on its own: one more socket read, one more wake-up
      // of the waiting thread. Sent last, its reply leaves with the VSIM's. It is also the stricter
      // check: an epoch that is not newer after the VSIM was not newer during it.
      Response<String> epoch = pipeline.get(Keys.EPOCH);
      pipeline.sync();
      Map<String, List<Hit>> hits = new LinkedHashMap<>();
      Set<String> absent = new java.util.LinkedHashSet<>();
      exists.forEach((key, r) -> {
        if (!r.get()) {
          absent.add(key);
        }
      });
      for (Map.Entry<String, Response<Object>> reply : replies.entrySet()) {
        if (!absent.contains(reply.getKey())) {
          hits.put(reply.getKey(), parseHits(reply.getKey(), reply.getValue()));
        }
      }
      return new QueryReply(parseEpoch(epoch.get()), hits, absent);
    });
  }

  private static List<Hit> parseHits(String key, Response<Object> response) {
    Object reply;
    try {
      reply = response.get();
    } catch (JedisDataException e) {
      if (e.getMessage() != null && e.getMessage().contains("FILTER")) {
        throw new FilterSyntaxException(e.getMessage());
      }
      throw e;
    }
    if (reply == null) {
      return List.of();
    }
    List<?> flat = (List<?>) reply;
    List<Hit> hits = new ArrayList<>(flat.size() / 2);
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      hits.add(new Hit(key, string(flat.get(i)), Double.parseDouble(string(flat.get(i + 1)))));
    }
    return hits;
  }

  /** Attributes JSON of elements, by key then id; elements without attributes are left out. */
  public Map<String, Map<String, String>> attributes(Map<String, List<String>> idsByKey) {
    return connections.call(jedis -> {
      Pipeline pipeline = jedis.pipelined();
      Map<String, Map<String, Response<String>>> replies = new LinkedHashMap<>();
      idsByKey.forEach((key, ids) -> {
        Map<String, Response<String>> forKey = new LinkedHashMap<>();
        ids.forEach(id -> forKey.put(id, pipeline.vgetattr(key, id)));
        replies.put(key, forKey);
      });
      pipeline.sync();
      Map<String, Map<String, String>> result = new LinkedHashMap<>();
      replies.forEach((key, forKey) -> {
        Map<String, String> attrs = new LinkedHashMap<>();
        forKey.forEach((id, r) -> {
          if (r.get() != null) {
            attrs.put(id, r.get());
          }
        });
        result.put(key, attrs);
      });
      return result;
    });
  }

  /** An element read back: its (possibly quantized) vector and attributes JSON (null for none). */
  public record StoredVector(float[] vector, String attributes) {}

  /** Reads one element, or null if the key or element does not exist. */
  public StoredVector get(String key, String id) {
    return read(key, id).vector();
  }

  /**
   * One element read (null when absent), the shard's epoch at read time, and whether the key
   * existed after the read (for the source of a move: if not, ask the new shard).
   */
  public record StoredRead(long shardEpoch, StoredVector vector, boolean keyExists) {}

  /**
   * Reads one element pipelined after {@code GET vsc:epoch}, like {@link #query}: a shard epoch
   * newer than the caller's table means the element may live elsewhere now.
   */
  public StoredRead read(String key, String id) {
    return connections.call(jedis -> {
      Pipeline pipeline = jedis.pipelined();
      Response<String> epoch = pipeline.get(Keys.EPOCH);
      Response<Object> emb = pipeline.sendCommand(Protocol.Command.VEMB, bytes(key), bytes(id));
      Response<String> attrs = pipeline.vgetattr(key, id);
      Response<Boolean> exists = pipeline.exists(key);
      pipeline.sync();
      List<?> values = (List<?>) emb.get();
      if (values == null) {
        return new StoredRead(parseEpoch(epoch.get()), null, exists.get());
      }
      float[] vector = new float[values.size()];
      for (int i = 0; i < vector.length; i++) {
        vector[i] = Float.parseFloat(string(values.get(i)));
      }
      return new StoredRead(parseEpoch(epoch.get()), new StoredVector(vector, attrs.get()), exists.get());
    });
  }

  /** Tenants that have (or had) data on this shard. */
  public Set<String> tenants() {
    return connections.call(jedis -> jedis.smembers(Keys.TENANTS));
  }

  public long epoch() {
    return connections.call(jedis -> parseEpoch(jedis.get(Keys.EPOCH)));
  }

  /** The routing table JSON stored on this shard, or null if none was published. */
  public String routingJson() {
    return connections.call(jedis -> jedis.get(Keys.ROUTING));
  }

  public boolean ping() {
    try {
      return connections.call(jedis -> "PONG".equals(jedis.ping()));
    } catch (ShardException e) {
      return false;
    }
  }

  private static long parseEpoch(String value) {
    return value == null ? 0 : Long.parseLong(value);
  }

  private static String string(Object reply) {
    return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    connections.close();
  }
}
