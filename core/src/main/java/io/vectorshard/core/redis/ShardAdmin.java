package io.vectorshard.core.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * What the control plane (the engine, local mode) does to one shard, apart from the data path:
 * take inventory, load the function library, publish routing tables, shut the shard down. A view on
 * a {@link ShardClient}'s connections ({@link ShardClient#admin()}); closing the client closes it.
 */
public final class ShardAdmin {
  private final ShardConnections connections;

  ShardAdmin(ShardConnections connections) {
    this.connections = connections;
  }

  /** Number of elements in each of the given keys (0 for a missing key). */
  public Map<String, Long> cardinalities(List<String> keys) {
    return connections.call(jedis -> cardinalities(jedis, keys));
  }

  private static Map<String, Long> cardinalities(Jedis jedis, List<String> keys) {
    Pipeline pipeline = jedis.pipelined();
    Map<String, Response<Long>> replies = new LinkedHashMap<>();
    keys.forEach(k -> replies.put(k, pipeline.vcard(k)));
    pipeline.sync();
    Map<String, Long> result = new LinkedHashMap<>();
    replies.forEach((k, r) -> result.put(k, r.get()));
    return result;
  }

  /**
   * Every bucket key on this shard with its number of elements. Found by SCAN, not from
   * {@code vsc:tenants}, so keys the routing table no longer points at are counted too: those are
   * exactly the ones a placement change must not strand.
   */
  public Map<String, Long> bucketSizes() {
    return connections.call(jedis -> {
      List<String> keys = new ArrayList<>();
      ScanParams params = new ScanParams().match(Keys.BUCKET_PATTERN).count(1000);
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        ScanResult<String> page = jedis.scan(cursor, params);
        keys.addAll(page.getResult());
        cursor = page.getCursor();
      } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
      keys.sort(null);
      return cardinalities(jedis, keys);
    });
  }

  /** {@code used_memory} from INFO memory: what the status and metrics report per shard. */
  public long usedMemoryBytes() {
    return connections.call(jedis -> {
      for (String line : jedis.info("memory").split("\r?\n")) {
        if (line.startsWith("used_memory:")) {
          return Long.parseLong(line.substring("used_memory:".length()).trim());
        }
      }
      throw new ShardException(connections.id(), ShardException.Reason.FAILED, "INFO memory has no used_memory", null);
    });
  }

  /** Loads (or replaces) the function library. Idempotent. */
  public void loadFunctions() {
    connections.call(jedis -> jedis.functionLoadReplace(FunctionLibrary.source()));
  }

  /**
   * Publishes a routing table: sets vsc:routing and vsc:epoch and announces the epoch, unless the
   * shard already has a newer epoch (then {@link StaleEpochException}). Returns false when the shard
   * already had exactly this table.
   */
  public boolean publish(long epoch, String tableJson) {
    return connections.call(jedis -> (Long) jedis.fcall(FunctionLibrary.PUBLISH, List.of(Keys.EPOCH, Keys.ROUTING),
        List.of(Long.toString(epoch), tableJson, Keys.ROUTING_CHANNEL)) == 1L);
  }

  /** Stops the shard with a save ({@code SHUTDOWN}), so its data survives for the next start. */
  public void shutdown() {
    try {
      connections.call(jedis -> {
        jedis.shutdown();
        return null;
      });
    } catch (ShardException closedByShutdown) {
      // SHUTDOWN closes the connection instead of replying.
    }
  }
}
