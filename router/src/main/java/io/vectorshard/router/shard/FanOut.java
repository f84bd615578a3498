package io.vectorshard.router.shard;

import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardException;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.router.metrics.RouterMetrics;
import io.vectorshard.router.routing.Routing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Calls several shards at once, each call under its own deadline (contract 5), and reports every
 * shard's value or failure; what a failure means (missing shard, retry, error) is the caller's call.
 *
 * <p>The calling thread makes one of the calls itself. A request that needs one shard (a tenant
 * query, a write to one shard) therefore never leaves its thread: profiling showed a hand-off to
 * another thread and back costing more than the rest of the router's work on a query. With several
 * shards, all but the last start on the executor's threads and the last runs here meanwhile, so the
 * fan-out stays parallel. The deadline holds either way: {@link ShardClient#withTimeout} bounds the
 * inline call (pool wait and socket reads), and the wait for the others ends at the same deadline.
 */
public final class FanOut {
  private final RouterMetrics metrics;
  private final ExecutorService executor;
  private final ShardHealth health;
  private final ShardBulkhead searches;

  /**
   * @param searchBudgetPerShard the permits of each shard's search bulkhead ({@link #searches})
   * @param abandonedSearch how long a search given up on at its deadline is assumed to keep running
   *     on Redis (which cannot cancel it): its bulkhead permit comes back only then. The query
   *     limits keep a search within the shard timeout, which is what the router passes.
   */
  public FanOut(RouterMetrics metrics, ExecutorService executor, int searchBudgetPerShard, Duration abandonedSearch) {
    this.metrics = metrics;
    this.executor = executor;
    this.health = new ShardHealth(metrics);
    this.searches = new ShardBulkhead(searchBudgetPerShard, abandonedSearch);
  }

  /**
   * As {@link #call(Routing.Snapshot, Map, String, Duration)} for writes: each call is bounded by its
   * shard client's own timeout (pool wait, then every socket read), and the fan-out waits for forked
   * calls to end rather than cutting them off at one total deadline. A large pipelined batch may take
   * longer than one timeout in all while every reply comes in time; reporting it as failed would be
   * wrong, as its writes still land. The single call made on the caller's thread behaves the same.
   */
  public <T> List<ShardReply<T>> call(Routing.Snapshot snapshot, Map<ShardEndpoint, Function<ShardClient, T>> calls,
      String op) {
    return call(snapshot, calls, op, null);
  }

  /**
   * As {@link #call(Routing.Snapshot, Map, String, Duration)} for searches (op {@code query}), each
   * admitted by its shard's bulkhead with {@code weight} permits (the search's estimated work,
   * {@code QueryLimits.weight}): a shard whose budget from this router has no room for it is not
   * called, and its reply is an {@code OVERLOADED} {@link ShardException}. A search that timed out
   * keeps its permits for {@code abandonedSearch} more, as it keeps running on Redis.
   */
  public <T> List<ShardReply<T>> searches(Routing.Snapshot snapshot, Map<ShardEndpoint, Function<ShardClient, T>> calls,
      Duration timeout, int weight) {
    Map<ShardEndpoint, Function<ShardClient, T>> admitted = new LinkedHashMap<>();
    Map<ShardEndpoint, ShardReply<T>> byShard = new HashMap<>();
    calls.forEach((shard, call) -> searches.admit(shard.id(), weight, call).ifPresentOrElse(
        guarded -> admitted.put(shard, guarded),
        () -> byShard.put(shard, ShardReply.failed(shard, new ShardException(shard.id(), ShardException.Reason.OVERLOADED,
            "its search budget from this router (" + searches.permits() + " permits, VSC_ROUTER_SEARCH_BUDGET_PER_SHARD) "
                + "has no room for a search of weight " + weight + "; retry shortly", null)))));
    List<ShardReply<T>> replies = call(snapshot, admitted, "query", timeout);
    if (byShard.isEmpty()) {
      return replies;
    }
    replies.forEach(reply -> byShard.put(reply.shard(), reply));
    return calls.keySet().stream().map(byShard::get).toList();
  }

  /**
   * Runs each call on its shard's client and returns the replies in the order of {@code calls}.
   *
   * @param op the operation label of the shard latency metric
   * @param timeout deadline of each call from its start (a query's {@code timeoutMs}): forked calls
   *     not done by then are reported as timed out; null for writes, see {@link #call(Routing.Snapshot, Map, String)}
   */
  public <T> List<ShardReply<T>> call(Routing.Snapshot snapshot, Map<ShardEndpoint, Function<ShardClient, T>> calls,
      String op, Duration timeout) {
    List<ShardEndpoint> shards = new ArrayList<>(calls.keySet());
    List<ShardClient> clients = new ArrayList<>(shards.size());
    for (ShardEndpoint shard : shards) {
      ShardClient client = snapshot.client(shard);
      clients.add(timeout == null ? client : client.withTimeout(timeout));
    }
    long start = System.nanoTime();
    int last = shards.size() - 1;
    List<CompletableFuture<T>> forked = new ArrayList<>(Math.max(0, last));
    for (int i = 0; i < last; i++) {
      Function<ShardClient, T> call = calls.get(shards.get(i));
      ShardClient client = clients.get(i);
      forked.add(CompletableFuture.supplyAsync(() -> timed(op, client, call), executor));
    }
    ShardReply<T> inline = last < 0 ? null : inline(shards.get(last), clients.get(last), calls.get(shards.get(last)), op);
    List<ShardReply<T>> replies = new ArrayList<>(shards.size());
    for (int i = 0; i < last; i++) {
      long deadline = timeout == null ? Long.MAX_VALUE : start + timeout.toNanos();
      replies.add(await(shards.get(i), forked.get(i), deadline, clients.get(i).timeout()));
    }
    if (inline != null) {
      replies.add(inline);
    }
    for (ShardReply<T> reply : replies) {
      health.observe(reply.shard().id(), reply.failure());
    }
    return replies;
  }

  /**
   * One call to one shard on the caller's thread, under the shard client's own timeout, timed and
   * observed like a fan-out's calls; its failure is thrown.
   */
  public <T> T one(Routing.Snapshot snapshot, ShardEndpoint shard, String op, Function<ShardClient, T> call) {
    try {
      T value = timed(op, snapshot.client(shard), call);
      health.observe(shard.id(), null);
      return value;
    } catch (RuntimeException e) {
      health.observe(shard.id(), e);
      throw e;
    }
  }

  private <T> T timed(String op, ShardClient client, Function<ShardClient, T> call) {
    return metrics.timeShard(client.id(), op, () -> call.apply(client));
  }

  private <T> ShardReply<T> inline(ShardEndpoint shard, ShardClient client, Function<ShardClient, T> call, String op) {
    try {
      return ShardReply.of(shard, timed(op, client, call));
    } catch (RuntimeException e) {
      return ShardReply.failed(shard, e);
    }
  }

  /** The reply of a forked call, waiting until the deadline ({@code Long.MAX_VALUE}: until it ends). */
  private static <T> ShardReply<T> await(ShardEndpoint shard, CompletableFuture<T> future, long deadline,
      Duration timeout) {
    try {
      T value = deadline == Long.MAX_VALUE ? future.get()
          : future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      return ShardReply.of(shard, value);
    } catch (TimeoutException e) {
      // The call itself ends at its own deadline (socket timeout) and gives its connection back.
      return ShardReply.failed(shard, new ShardException(shard.id(), ShardException.Reason.TIMEOUT,
          "timed out after " + timeout.toMillis() + " ms", null));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      return ShardReply.failed(shard, cause instanceof RuntimeException runtime ? runtime
          : new ShardException(shard.id(), ShardException.Reason.FAILED, String.valueOf(cause), cause));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ShardException(shard.id(), ShardException.Reason.FAILED, "interrupted", e);
    }
  }
}
