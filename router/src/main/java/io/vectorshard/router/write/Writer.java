package io.vectorshard.router.write;

import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.StaleEpochException;
import io.vectorshard.core.routing.RoutingTable.BucketLocation;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.router.metrics.RouterMetrics;
import io.vectorshard.router.routing.Routing;
import io.vectorshard.router.shard.FanOut;
import io.vectorshard.router.shard.ShardReply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The write path: upserts, deletes and tenant drops, each sent to the owning shard through the
 * fenced function library. A STALE reply means the shard moved to a newer table: reload it and
 * retry the refused part under the new placement (contract 2).
 */
public final class Writer {
  /** Attempts per write; each retry follows a table reload, so more means a table changing rapidly. */
  static final int MAX_ATTEMPTS = 4;

  private final Routing routing;
  private final RouterMetrics metrics;
  private final FanOut fanOut;

  public Writer(Routing routing, RouterMetrics metrics, FanOut fanOut) {
    this.routing = routing;
    this.metrics = metrics;
    this.fanOut = fanOut;
  }

  /**
   * Upserts a tenant's vectors, one pipelined request per shard, shards in parallel. Shards that
   * answer STALE get their part retried under the reloaded table; any other failure fails the write.
   */
  public UpsertResult upsert(String tenant, List<VectorInput> inputs) {
    List<VectorInput> pending = inputs;
    int created = 0;
    for (int attempt = 1; ; attempt++) {
      Routing.Snapshot snapshot = routing.require();
      Map<ShardEndpoint, List<VectorInput>> byShard = new LinkedHashMap<>();
      Map<ShardEndpoint, List<ShardClient.Write>> writes = new LinkedHashMap<>();
      for (VectorInput input : pending) {
        BucketLocation where = snapshot.table().locate(tenant, input.id());
        byShard.computeIfAbsent(where.shard(), s -> new ArrayList<>()).add(input);
        writes.computeIfAbsent(where.shard(), s -> new ArrayList<>())
            .add(new ShardClient.Write(where.key(), input.id(), input.vector(), input.attributes()));
      }
      Map<ShardEndpoint, Function<ShardClient, List<Boolean>>> calls = new LinkedHashMap<>();
      writes.forEach((shard, list) -> calls.put(shard,
          client -> client.upsert(snapshot.epoch(), tenant, snapshot.table().vectors(), list)));
      List<VectorInput> refused = new ArrayList<>();
      StaleEpochException stale = null;
      for (ShardReply<List<Boolean>> reply : fanOut.call(snapshot, calls, "upsert")) {
        if (reply.ok()) {
          created += (int) reply.value().stream().filter(b -> b).count();
          metrics.vectorsWritten(reply.shard().id(), reply.value().size());
        } else if (reply.failure() instanceof StaleEpochException s) {
          stale = s;
          refused.addAll(byShard.get(reply.shard()));
        } else {
          throw reply.failure();
        }
      }
      if (stale == null) {
        return new UpsertResult(inputs.size(), created, snapshot.epoch());
      }
      retryAfterStale(stale, attempt);
      pending = refused;
    }
  }

  /** Deletes one vector. Returns whether it existed. */
  public boolean delete(String tenant, String id) {
    return withStaleRetry(snapshot -> {
      BucketLocation where = snapshot.table().locate(tenant, id);
      return metrics.timeShard(where.shard().id(), "delete",
          () -> snapshot.client(where.shard()).remove(snapshot.epoch(), where.key(), List.of(id))) > 0;
    });
  }

  /**
   * Reads one vector back, or null if it does not exist. Like queries, a read that sees a newer
   * epoch on the shard reloads the table and asks again: the element may have moved.
   */
  public ShardClient.StoredVector get(String tenant, String id) {
    Routing.Snapshot snapshot = routing.require();
    ShardClient.StoredRead read = read(snapshot, tenant, id);
    if (read.shardEpoch() > snapshot.epoch()) {
      Routing.Snapshot refreshed = routing.refresh("read-epoch");
      if (refreshed.epoch() > snapshot.epoch()) {
        metrics.staleRetry();
        read = read(refreshed, tenant, id);
      }
    }
    return read.vector();
  }

  private ShardClient.StoredRead read(Routing.Snapshot snapshot, String tenant, String id) {
    BucketLocation where = snapshot.table().locate(tenant, id);
    return metrics.timeShard(where.shard().id(), "get", () -> snapshot.client(where.shard()).read(where.key(), id));
  }

  /** Deletes every key of a tenant on every shard. Returns how many keys existed. */
  public long dropTenant(String tenant) {
    return withStaleRetry(snapshot -> {
      Map<ShardEndpoint, List<String>> keys = new LinkedHashMap<>();
      // Every shard: also those holding none of the tenant's buckets drop it from vsc:tenants.
      snapshot.table().shards().forEach(s -> keys.put(s, new ArrayList<>()));
      snapshot.table().bucketsOf(tenant).forEach(b -> keys.get(b.shard()).add(b.key()));
      Map<ShardEndpoint, Function<ShardClient, Long>> calls = new LinkedHashMap<>();
      keys.forEach((shard, list) -> calls.put(shard, client -> client.dropTenant(snapshot.epoch(), tenant, list)));
      long deleted = 0;
      for (ShardReply<Long> reply : fanOut.call(snapshot, calls, "drop")) {
        if (!reply.ok()) {
          throw reply.failure(); // a STALE reply retries the whole drop under the reloaded table
        }
        deleted += reply.value();
      }
      return deleted;
    });
  }

  private <T> T withStaleRetry(Function<Routing.Snapshot, T> operation) {
    for (int attempt = 1; ; attempt++) {
      try {
        return operation.apply(routing.require());
      } catch (StaleEpochException stale) {
        retryAfterStale(stale, attempt);
      }
    }
  }

  private void retryAfterStale(StaleEpochException stale, int attempt) {
    if (attempt >= MAX_ATTEMPTS) {
      throw stale;
    }
    metrics.staleRetry();
    routing.refresh("stale");
  }
}
