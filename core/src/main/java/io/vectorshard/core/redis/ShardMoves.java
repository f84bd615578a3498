package io.vectorshard.core.redis;

import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.routing.VectorSettings;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.MigrateParams;
import redis.clients.jedis.resps.RawVector;

/**
 * What moving a bucket between shards does to one shard: the atomic move ({@code MIGRATE}), and the
 * streaming copier's listing, reads and writes, verification and removal. A view on a
 * {@link ShardClient}'s connections ({@link ShardClient#moves()}). Each call is short: how much one
 * call may do is the caller's choice, from what it measured, so no call stalls the shard long.
 */
public final class ShardMoves {
  private static final Duration LISTING_TIMEOUT = Duration.ofSeconds(60);

  private final ShardConnections connections;

  ShardMoves(ShardConnections connections) {
    this.connections = connections;
  }

  public String shardId() {
    return connections.id();
  }

  public ShardEndpoint endpoint() {
    return connections.endpoint();
  }

  /** {@code MEMORY USAGE key SAMPLES 0}: the whole key, what MIGRATE serializes; 0 when absent. */
  public long bytesOf(String key) {
    return connections.call(jedis -> {
      Long bytes = jedis.memoryUsage(key, 0);
      return bytes == null ? 0 : bytes;
    });
  }

  /** {@link #bytesOf(String)} of several keys, pipelined. */
  public Map<String, Long> bytesOf(List<String> keys) {
    return connections.call(jedis -> {
      Pipeline pipeline = jedis.pipelined();
      Map<String, Response<Long>> replies = new LinkedHashMap<>();
      keys.forEach(k -> replies.put(k, pipeline.memoryUsage(k)));
      pipeline.sync();
      Map<String, Long> bytes = new LinkedHashMap<>();
      replies.forEach((k, r) -> bytes.put(k, r.get() == null ? 0L : r.get()));
      return bytes;
    });
  }

  /**
   * Creates a throw-away vector set of {@code count} random vectors under {@code key} (not a
   * bucket key: it holds no client data), with plain pipelined VADDs in chunks, to measure what
   * writes, MIGRATE and DEL cost on these shards before any real bucket is moved. Returns how long
   * the writes took.
   */
  public Duration writeProbe(String key, VectorSettings settings, int count, long seed) {
    java.util.Random random = new java.util.Random(seed);
    return connections.call(jedis -> {
      jedis.del(key);
      long start = System.nanoTime();
      for (int from = 0; from < count; from += PROBE_CHUNK) {
        Pipeline pipeline = jedis.pipelined();
        for (int i = from; i < Math.min(count, from + PROBE_CHUNK); i++) {
          float[] v = new float[settings.dimensions()];
          for (int d = 0; d < v.length; d++) {
            v[d] = (float) random.nextGaussian();
          }
          pipeline.sendCommand(redis.clients.jedis.Protocol.Command.VADD, bytes(key), bytes("FP32"), Fp32.encode(v),
              bytes("p" + i), bytes(settings.quantization().name()), bytes("M"), bytes(Integer.toString(settings.m())),
              bytes("EF"), bytes(Integer.toString(settings.efConstruction())));
        }
        pipeline.sync();
      }
      return Duration.ofNanos(System.nanoTime() - start);
    });
  }

  /** VADDs per pipeline of a probe: each chunk blocks the shard for about this many VADDs. */
  private static final int PROBE_CHUNK = 32;

  /** Deletes a probe key (or any non-bucket key of the engine's) and returns how long that took. */
  public Duration deleteProbe(String key) {
    return connections.call(jedis -> {
      long start = System.nanoTime();
      jedis.del(key);
      return Duration.ofNanos(System.nanoTime() - start);
    });
  }

  public long cardinality(String key) {
    return connections.call(jedis -> jedis.vcard(key));
  }

  /**
   * Moves the key to {@code target} in one step: {@code MIGRATE} (no COPY), which serializes it,
   * restores it there and deletes it here, blocking this shard for the whole transfer. Returns
   * false when the key was not here.
   *
   * <p>The target's name is resolved here, and Redis is given its address: the shard's resolver
   * need not know the name the engine uses (a cluster DNS name seen from the operator's pod, a
   * name only this host resolves), while the address the name points to now is the one to reach.
   */
  public boolean migrate(String key, ShardEndpoint target, Duration timeout) {
    String address = resolve(target);
    return connections.withTimeout(timeout.plusSeconds(1)).call(jedis -> {
      MigrateParams params = MigrateParams.migrateParams();
      ShardCredentials credentials = connections.credentials();
      if (credentials.authenticates()) {
        if (credentials.user() == null) {
          params.auth(credentials.password());
        } else {
          params.auth2(credentials.user(), credentials.password());
        }
      }
      String reply = jedis.migrate(address, target.port(), 0, (int) timeout.toMillis(), params, key);
      return !"NOKEY".equals(reply);
    });
  }

  private static String resolve(ShardEndpoint target) {
    try {
      return InetAddress.getByName(target.host()).getHostAddress();
    } catch (UnknownHostException e) {
      throw new ShardException(target.id(), ShardException.Reason.UNREACHABLE, "cannot resolve " + target.host() + " to move a key there", e);
    }
  }

  /**
   * Every element id of the key: {@code VRANDMEMBER key <cardinality>}, which lists the whole set
   * (Redis 8.0 has no VRANGE). Listing all elements is far cheaper for the server than sampling
   * part of them (docs/architecture.md, "Moving data", has the measurements).
   */
  public List<String> ids(String key) {
    // Listing blocks the shard briefly, but the reply of a large set takes a while to arrive.
    return connections.withTimeout(LISTING_TIMEOUT).call(jedis -> {
      long size = jedis.vcard(key);
      if (size == 0) {
        return List.of();
      }
      return jedis.vrandmember(key, (int) Math.min(Integer.MAX_VALUE, size));
    });
  }

  /**
   * One element as stored, rebuilt as the FP32 vector that {@code VADD} turns back into the same
   * stored form: same quantized codes (or floats, or bits) and the same norm.
   *
   * @param attributes attributes JSON, or null for none
   */
  public record Element(String id, float[] vector, String attributes, String quantization, byte[] raw,
      double norm, Double range) {

    /**
     * Whether another copy holds the same vector and attributes. VADD normalizes what it is given,
     * so a streamed copy cannot always be bit-identical (MIGRATE's is): FP32 components may differ
     * in the last bits, and a Q8 copy keeps the codes and the norm but its range is recomputed
     * from the codes, which moves it by less than one quantization step (1/127). A changed vector
     * changes codes, components or norm by far more than these tolerances.
     */
    public boolean sameAs(Element other) {
      if (!id.equals(other.id) || !java.util.Objects.equals(attributes, other.attributes)
          || !quantization.equals(other.quantization) || !close(norm, other.norm, 1e-5)) {
        return false;
      }
      return switch (quantization) {
        case "f32" -> sameFloats(raw, other.raw);
        case "int8" -> Arrays.equals(raw, other.raw) && range != null && other.range != null
            && close(range, other.range, 1.0 / 127);
        default -> Arrays.equals(raw, other.raw);
      };
    }

    private static boolean sameFloats(byte[] a, byte[] b) {
      if (a.length != b.length) {
        return false;
      }
      ByteBuffer x = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer y = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < a.length / Float.BYTES; i++) {
        if (Math.abs(x.getFloat() - y.getFloat()) > 1e-6) { // unit-length components
          return false;
        }
      }
      return true;
    }

    private static boolean close(double a, double b, double relative) {
      return Math.abs(a - b) <= relative * Math.max(Math.abs(a), Math.abs(b)) + 1e-12;
    }
  }

  /** Reads elements ({@code VEMB ... RAW} and {@code VGETATTR}, pipelined); absent ids are left out. */
  public Map<String, Element> read(String key, List<String> ids, int dimensions) {
    return connections.call(jedis -> {
      Pipeline pipeline = jedis.pipelined();
      Map<String, Response<RawVector>> raws = new LinkedHashMap<>();
      Map<String, Response<String>> attrs = new LinkedHashMap<>();
      for (String id : ids) {
        raws.put(id, pipeline.vembRaw(key, id));
        attrs.put(id, pipeline.vgetattr(key, id));
      }
      pipeline.sync();
      Map<String, Element> elements = new LinkedHashMap<>();
      for (String id : ids) {
        RawVector raw = raws.get(id).get();
        if (raw != null) {
          elements.put(id, element(id, raw, attrs.get(id).get(), dimensions));
        }
      }
      return elements;
    });
  }

  static Element element(String id, RawVector raw, String attributes, int dimensions) {
    double norm = raw.getNorm();
    byte[] data = raw.getRawData();
    float[] vector = new float[dimensions];
    String quantization = raw.getQuantizationType();
    switch (quantization) {
      case "int8" -> {
        double sum = 0;
        for (int i = 0; i < dimensions; i++) {
          vector[i] = data[i];
          sum += (double) data[i] * data[i];
        }
        scale(vector, sum == 0 ? 0 : norm / Math.sqrt(sum));
      }
      case "f32" -> {
        ByteBuffer floats = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < dimensions; i++) {
          vector[i] = floats.getFloat();
        }
        scale(vector, norm);
      }
      case "bin" -> {
        for (int i = 0; i < dimensions; i++) {
          vector[i] = (data[i / 8] >> (i % 8) & 1) == 1 ? 1f : -1f;
        }
        scale(vector, norm / Math.sqrt(dimensions));
      }
      default -> throw new IllegalStateException("unknown vector encoding " + quantization + " of element " + id);
    }
    return new Element(id, vector, attributes, quantization, data, norm, raw.getQuantizationRange());
  }

  private static void scale(float[] vector, double factor) {
    for (int i = 0; i < vector.length; i++) {
      vector[i] = (float) (vector[i] * factor);
    }
  }

  /**
   * Writes elements on the target of a streaming move through the fenced {@code vsc_copy}. Without
   * {@code force}, elements already present or tombstoned are skipped (routers wrote them since);
   * with it (a repair after verification found a difference) they are overwritten. Returns how many
   * were written.
   */
  public long copy(long epoch, String tenant, VectorSettings settings, String key, List<Element> elements,
      boolean force) {
    return connections.call(jedis -> {
      List<byte[]> args = new ArrayList<>(6 + elements.size() * 3);
      args.add(bytes(Long.toString(epoch)));
      args.add(bytes(tenant));
      args.add(bytes(settings.quantization().name()));
      args.add(bytes(Integer.toString(settings.m())));
      args.add(bytes(Integer.toString(settings.efConstruction())));
      args.add(bytes(force ? "1" : "0"));
      for (Element e : elements) {
        args.add(bytes(e.id()));
        args.add(Fp32.encode(e.vector()));
        args.add(bytes(e.attributes() == null ? "" : e.attributes()));
      }
      return (Long) jedis.fcall(bytes(FunctionLibrary.COPY),
          List.of(bytes(Keys.TENANTS), bytes(key), bytes(Keys.tombstones(key))), args);
    });
  }

  /** The ids written to the key since its dirty set was last cleared. */
  public Set<String> dirtyIds(String key) {
    return connections.call(jedis -> jedis.smembers(Keys.dirty(key)));
  }

  /** Starts a new verification window: forgets the ids written so far. */
  public void clearDirty(String key) {
    connections.call(jedis -> jedis.del(Keys.dirty(key)));
  }

  /** Removes elements with plain VREM (no fence: only the engine calls this, for repairs and cleanup). */
  public long removeElements(String key, List<String> ids) {
    return connections.call(jedis -> {
      Pipeline pipeline = jedis.pipelined();
      List<Response<Boolean>> replies = new ArrayList<>(ids.size());
      ids.forEach(id -> replies.add(pipeline.vrem(key, id)));
      pipeline.sync();
      return replies.stream().filter(Response::get).count();
    });
  }

  /**
   * Deletes the key and its streaming state ({@code DEL}: one step, so only for keys whose
   * measured deletion cost fits the stall budget; larger ones are emptied with
   * {@link #removeElements} first). Drops the tenant from {@code vsc:tenants} when no other key of
   * it is left here.
   */
  public void deleteKey(String tenant, String key, List<String> otherKeysOfTenant) {
    connections.call(jedis -> {
      jedis.del(key, Keys.dirty(key), Keys.tombstones(key));
      if (otherKeysOfTenant.isEmpty() || jedis.exists(otherKeysOfTenant.toArray(String[]::new)) == 0) {
        jedis.srem(Keys.TENANTS, tenant);
      }
      return null;
    });
  }

  /** Forgets a finished stream's dirty and tombstone sets on this shard. */
  public void clearStreamState(String key) {
    connections.call(jedis -> jedis.del(Keys.dirty(key), Keys.tombstones(key)));
  }

  /** Records that the tenant has data here (after a MIGRATE, which moves the key but not the set). */
  public void registerTenant(String tenant) {
    connections.call(jedis -> jedis.sadd(Keys.TENANTS, tenant));
  }

  public boolean exists(String key) {
    return connections.call(jedis -> jedis.exists(key));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
