package io.vectorshard.router.write;

import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardException;
import io.vectorshard.core.redis.StaleEpochException;
import io.vectorshard.core.routing.RoutingTable.BucketLocation;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.router.metrics.RouterMetrics;
import io.vectorshard.router.routing.Routing;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
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
  private final ExecutorService executor;

  public Writer(Routing routing, RouterMetrics metrics, ExecutorService executor) {
    this.routing = routing;
    this.metrics = metrics;
    this.executor = executor;
  }

  /** Upserts a tenant's vectors, one pipelined request per shard, shards in parallel. */
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
      Map<ShardEndpoint, CompletableFuture<List<Boolean>>> futures = new LinkedHashMap<>();
      writes.forEach((shard, list) -> futures.put(shard, CompletableFuture.supplyAsync(() -> metrics.timeShard(
          shard.id(), "upsert", () -> snapshot.client(shard).upsert(snapshot.epoch(), tenant, snapshot.table().vectors(), list)),
          executor)));
      List<VectorInput> refused = new ArrayList<>();
      StaleEpochException stale = null;
      for (Map.Entry<ShardEndpoint, CompletableFuture<List<Boolean>>> f : futures.entrySet()) {
        try {
          List<Boolean> flags = f.getValue().join();
          created += (int) flags.stream().filter(b -> b).count();
          metrics.vectorsWritten(f.getKey().id(), flags.size());
        } catch (CompletionException e) {
          if (e.getCause() instanceof StaleEpochException s) {
            stale = s;
            refused.addAll(byShard.get(f.getKey()));
          } else {
            throw unwrap(e);
          }
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
      List<CompletableFuture<Long>> futures = new ArrayList<>();
      keys.forEach((shard, list) -> futures.add(CompletableFuture.supplyAsync(() -> metrics.timeShard(shard.id(),
          "drop", () -> snapshot.client(shard).dropTenant(snapshot.epoch(), tenant, list)), executor)));
      long deleted = 0;
      for (CompletableFuture<Long> f : futures) {
        try {
          deleted += f.join();
        } catch (CompletionException e) {
          throw unwrap(e);
        }
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

  private static RuntimeException unwrap(CompletionException e) {
    Throwable cause = e.getCause();
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    return new ShardException("unknown", false, String.valueOf(cause), cause);
  }
}
