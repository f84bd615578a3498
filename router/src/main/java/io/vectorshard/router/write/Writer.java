package io.vectorshard.router.write;

import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardClient.Applied;
import io.vectorshard.core.redis.StaleEpochException;
import io.vectorshard.core.redis.WriteMode;
import io.vectorshard.core.routing.RoutingTable.BucketLocation;
import io.vectorshard.core.routing.RoutingTable.Movement;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.router.metrics.RouterMetrics;
import io.vectorshard.router.routing.Routing;
import io.vectorshard.router.shard.FanOut;
import io.vectorshard.router.shard.ShardReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The write path: upserts, deletes and tenant drops, each sent to the owning shard through the
 * fenced function library. A STALE reply means the shard moved to a newer table: reload it and
 * retry the refused part under the new placement (contract 2).
 *
 * <p>While a bucket moves (the table's transition), a write may take two steps: to the source,
 * which answers "moved" once the key has gone, then to the new shard. A streaming bucket is written
 * on both shards, and a failure of either fails the request; so is a re-bucketed tenant, under its
 * old bucket count (that key is created when absent: it stays authoritative until the switch) and
 * its new one. Upserts send both writes at once (the copier's skip rule and the verification do not
 * depend on their order, see StreamingMove); deletes go to the source first. Writes to a bucket
 * fenced for its switch wait for the next table (docs/architecture.md, "Moving data").
 */
public final class Writer {
  /** Attempts per write; each retry follows a table reload, so more means a table changing rapidly. */
  static final int MAX_ATTEMPTS = 4;
  /** The longest a write waits at a switch's fence before answering 503 (the engine's pause is far shorter). */
  static final Duration MAX_FENCE_WAIT = Duration.ofSeconds(5);

  private final Routing routing;
  private final RouterMetrics metrics;
  private final FanOut fanOut;

  public Writer(Routing routing, RouterMetrics metrics, FanOut fanOut) {
    this.routing = routing;
    this.metrics = metrics;
    this.fanOut = fanOut;
  }

  /** One element's write under a snapshot: where it goes first and, while it moves, second. */
  private record Placed(VectorInput input, BucketLocation where) {
    /** Whether the element is copied to a new key while written: both keys take its writes. */
    private boolean streams() {
      return where.movement() == Movement.COPYING || where.movement() == Movement.REBUCKETING;
    }

    private boolean sourceFirst() {
      return where.movement() == Movement.ATOMIC || streams();
    }

    /** The write to the element's home, or to the source of its move. */
    Step first() {
      WriteMode mode = switch (where.movement()) {
        case ATOMIC -> WriteMode.ATOMIC_SOURCE;
        case COPYING -> WriteMode.STREAM_SOURCE;
        case REBUCKETING -> WriteMode.REBUCKET_SOURCE;
        default -> WriteMode.HOME;
      };
      return sourceFirst() ? new Step(this, where.source(), where.sourceKey(), mode) : new Step(this, where.shard(), where.key(), mode);
    }

    /**
     * The write to the target of a streaming move or a re-bucketing, which does not depend on the
     * first: it goes out beside it, so a moving tenant's write waits for the slower of two VADDs,
     * not their sum. Null when the element does not stream.
     */
    Step alongside() {
      return streams() ? new Step(this, where.shard(), where.key(), WriteMode.STREAM_TARGET) : null;
    }

    /** The write to an atomic move's new shard once its source answered "moved", else null. */
    Step after(Applied first) {
      return where.movement() == Movement.ATOMIC && first == Applied.MOVED
          ? new Step(this, where.shard(), where.key(), WriteMode.HOME) : null;
    }
  }

  /** One write of one element to one key on one shard. */
  private record Step(Placed placed, ShardEndpoint shard, String key, WriteMode mode) {}

  /**
   * Upserts a tenant's vectors, one pipelined request per shard, shards in parallel. Shards that
   * answer STALE get their part retried under the reloaded table; any other failure fails the write.
   */
  public UpsertResult upsert(String tenant, List<VectorInput> inputs) {
    List<VectorInput> pending = inputs;
    int created = 0;
    long epoch = 0;
    int attempt = 1;
    while (true) {
      Routing.Snapshot snapshot = routing.require();
      List<Placed> placed = new ArrayList<>(pending.size());
      boolean fenced = false;
      for (VectorInput input : pending) {
        BucketLocation where = snapshot.table().locate(tenant, input.id());
        fenced |= where.movement() == Movement.FENCED;
        placed.add(new Placed(input, where));
      }
      if (fenced) {
        waitOutFence(snapshot);
        continue;
      }
      // First round: each element to its home or the source of its move, and a streaming
      // element's target beside it (a source and a target on one shard share one call).
      Map<Placed, Step> first = new IdentityHashMap<>();
      Map<Placed, Step> second = new IdentityHashMap<>();
      for (Placed p : placed) {
        first.put(p, p.first());
        Step alongside = p.alongside();
        if (alongside != null) {
          second.put(p, alongside);
        }
      }
      List<Step> round = new ArrayList<>(first.values());
      round.addAll(second.values());
      Map<Step, Applied> applied = new IdentityHashMap<>();
      Set<VectorInput> refused = Collections.newSetFromMap(new IdentityHashMap<>());
      StaleEpochException stale = collect(write(snapshot, tenant, round), applied, refused, null);
      // Second round: atomic moves whose key had left its source go to the new shard.
      List<Step> after = new ArrayList<>();
      first.forEach((p, step) -> {
        Step next = applied.containsKey(step) ? p.after(applied.get(step)) : null;
        if (next != null) {
          second.put(p, next);
          after.add(next);
        }
      });
      // A STALE step retries the whole element, all its steps: upserts are idempotent.
      stale = collect(write(snapshot, tenant, after), applied, refused, stale);
      for (Placed p : placed) {
        if (refused.contains(p.input())) {
          continue;
        }
        // What counts is the authoritative write: the source's, unless the key had moved.
        Applied result = applied.get(first.get(p));
        if (result == Applied.MOVED) {
          result = applied.get(second.get(p));
        }
        if (result == Applied.CREATED) {
          created++;
        }
      }
      epoch = snapshot.epoch();
      if (stale == null) {
        return new UpsertResult(inputs.size(), created, epoch);
      }
      retryAfterStale(stale, attempt++);
      pending = placed.stream().map(Placed::input).filter(refused::contains).toList();
    }
  }

  /**
   * Sorts one round's replies: what each step did, and the elements of shards that answered STALE
   * (to retry). Any other failure fails the write. Returns the last STALE seen.
   */
  private static StaleEpochException collect(List<Map.Entry<List<Step>, ShardReply<List<Applied>>>> replies,
      Map<Step, Applied> applied, Set<VectorInput> refused, StaleEpochException stale) {
    for (Map.Entry<List<Step>, ShardReply<List<Applied>>> entry : replies) {
      List<Step> part = entry.getKey();
      ShardReply<List<Applied>> reply = entry.getValue();
      if (reply.ok()) {
        for (int i = 0; i < part.size(); i++) {
          applied.put(part.get(i), reply.value().get(i));
        }
      } else if (reply.failure() instanceof StaleEpochException s) {
        stale = s;
        part.forEach(step -> refused.add(step.placed().input()));
      } else {
        throw reply.failure();
      }
    }
    return stale;
  }

  /** Sends a round of steps, one pipelined call per shard, shards in parallel; each reply beside its steps. */
  private List<Map.Entry<List<Step>, ShardReply<List<Applied>>>> write(Routing.Snapshot snapshot, String tenant, List<Step> steps) {
    if (steps.isEmpty()) {
      return List.of();
    }
    Map<ShardEndpoint, List<Step>> byShard = new LinkedHashMap<>();
    steps.forEach(step -> byShard.computeIfAbsent(step.shard(), s -> new ArrayList<>()).add(step));
    Map<ShardEndpoint, Function<ShardClient, List<Applied>>> calls = new LinkedHashMap<>();
    byShard.forEach((shard, part) -> {
      List<ShardClient.Write> writes = new ArrayList<>(part.size());
      for (Step step : part) {
        VectorInput input = step.placed().input();
        writes.add(new ShardClient.Write(step.key(), step.mode(), input.id(), input.vector(), input.attributes()));
      }
      calls.put(shard, client -> {
        List<Applied> applied = client.upsert(snapshot.epoch(), tenant, snapshot.table().vectors(), writes);
        metrics.vectorsWritten(client.id(), (int) applied.stream().filter(a -> a != Applied.MOVED).count());
        return applied;
      });
    });
    List<Map.Entry<List<Step>, ShardReply<List<Applied>>>> replies = new ArrayList<>();
    for (ShardReply<List<Applied>> reply : fanOut.call(snapshot, calls, "upsert")) {
      replies.add(Map.entry(byShard.get(reply.shard()), reply));
    }
    return replies;
  }

  /** Deletes one vector. Returns whether it existed. */
  public boolean delete(String tenant, String id) {
    return withStaleRetry(snapshot -> {
      BucketLocation where = snapshot.table().locate(tenant, id);
      return switch (where.movement()) {
        case NONE, SWITCHED -> remove(snapshot, where.shard(), where.key(), WriteMode.HOME, id).removed() > 0;
        case ATOMIC -> {
          ShardClient.Removal atSource = remove(snapshot, where.source(), where.key(), WriteMode.ATOMIC_SOURCE, id);
          yield atSource.moved() ? remove(snapshot, where.shard(), where.key(), WriteMode.HOME, id).removed() > 0
              : atSource.removed() > 0;
        }
        case COPYING -> {
          ShardClient.Removal atSource = remove(snapshot, where.source(), where.key(), WriteMode.STREAM_SOURCE, id);
          ShardClient.Removal atTarget = remove(snapshot, where.shard(), where.key(), WriteMode.STREAM_TARGET, id);
          yield (atSource.moved() ? atTarget.removed() : atSource.removed()) > 0;
        }
        case REBUCKETING -> {
          ShardClient.Removal atSource = remove(snapshot, where.source(), where.sourceKey(), WriteMode.REBUCKET_SOURCE, id);
          remove(snapshot, where.shard(), where.key(), WriteMode.STREAM_TARGET, id);
          yield atSource.removed() > 0;
        }
        case FENCED -> throw new FencedException();
      };
    });
  }

  private ShardClient.Removal remove(Routing.Snapshot snapshot, ShardEndpoint shard, String key, WriteMode mode, String id) {
    return fanOut.one(snapshot, shard, "delete", client -> client.remove(snapshot.epoch(), key, mode, List.of(id)));
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
    ShardEndpoint first = where.readFrom();
    ShardClient.StoredRead read = fanOut.one(snapshot, first, "get", client -> client.read(where.readKey(), id));
    if (where.readsSourceFirst() && !read.keyExists()) {
      // The key has left its source: the new shard holds it now.
      ShardClient.StoredRead atHome = fanOut.one(snapshot, where.shard(), "get", client -> client.read(where.key(), id));
      return new ShardClient.StoredRead(Math.max(read.shardEpoch(), atHome.shardEpoch()), atHome.vector(), atHome.keyExists());
    }
    return read;
  }

  /** Deletes every key of a tenant on every shard. Returns how many keys existed. */
  public long dropTenant(String tenant) {
    return withStaleRetry(snapshot -> {
      Map<ShardEndpoint, Map<String, WriteMode>> keys = new LinkedHashMap<>();
      // Every shard: also those holding none of the tenant's buckets drop it from vsc:tenants.
      snapshot.table().shards().forEach(s -> keys.put(s, new LinkedHashMap<>()));
      for (BucketLocation b : snapshot.table().bucketsOf(tenant)) {
        boolean streaming = b.movement() == Movement.COPYING || b.movement() == Movement.FENCED;
        keys.get(b.shard()).put(b.key(), streaming ? WriteMode.STREAM_TARGET : WriteMode.HOME);
        if (b.source() != null) {
          keys.get(b.source()).put(b.key(), WriteMode.HOME);
        }
      }
      for (BucketLocation b : snapshot.table().shadowBucketsOf(tenant)) {
        // A re-bucketed tenant's other keys: copies written before its switch (the copier must
        // not bring back what the drop removed), the old count's keys after it.
        keys.get(b.shard()).put(b.key(), b.movement() == Movement.REBUCKETING ? WriteMode.STREAM_TARGET : WriteMode.HOME);
      }
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

  /** Thrown inside {@link #withStaleRetry} when the bucket is fenced: wait for the next table, then retry. */
  private static final class FencedException extends RuntimeException {
    FencedException() {
      super(null, null, false, false);
    }
  }

  private <T> T withStaleRetry(Function<Routing.Snapshot, T> operation) {
    for (int attempt = 1; ; attempt++) {
      Routing.Snapshot snapshot = routing.require();
      try {
        return operation.apply(snapshot);
      } catch (StaleEpochException stale) {
        retryAfterStale(stale, attempt);
      } catch (FencedException fenced) {
        waitOutFence(snapshot);
        attempt--; // waiting at a fence is not a failed attempt
      }
    }
  }

  /**
   * A moving bucket is fenced for its switch: wait for the table that ends the fence. Waiting does
   * not use up the attempts STALE replies have, but is bounded by {@link #MAX_FENCE_WAIT}.
   */
  private void waitOutFence(Routing.Snapshot snapshot) {
    long started = System.nanoTime();
    Routing.Snapshot next = routing.awaitNewerThan(snapshot.epoch(), MAX_FENCE_WAIT);
    metrics.fenceWait(Duration.ofNanos(System.nanoTime() - started));
    if (next.epoch() <= snapshot.epoch()) {
      throw new StaleEpochException("fence", snapshot.epoch());
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
