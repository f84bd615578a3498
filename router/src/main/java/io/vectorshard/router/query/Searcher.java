package io.vectorshard.router.query;

import io.vectorshard.core.redis.FilterSyntaxException;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardException;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.RoutingTable.BucketLocation;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.router.metrics.RouterMetrics;
import io.vectorshard.router.routing.Routing;
import java.time.Duration;
import java.util.ArrayList;
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
 * Answers similarity queries: plans which keys each shard must search, queries the shards in
 * parallel under one deadline, merges, then fetches the winners' attributes (contract 4 and 5).
 * A query costs about the slowest shard, not the sum.
 */
public final class Searcher {
  private final Routing routing;
  private final RouterMetrics metrics;
  private final ExecutorService executor;

  public Searcher(Routing routing, RouterMetrics metrics, ExecutorService executor) {
    this.routing = routing;
    this.metrics = metrics;
    this.executor = executor;
  }

  public SearchResult search(SearchRequest request) {
    Routing.Snapshot snapshot = routing.require();
    Attempt attempt = attempt(snapshot, request);
    if (attempt.newestEpochSeen() > snapshot.epoch()) {
      // A shard already serves a newer table: where data lives may have changed. Reload, ask again.
      Routing.Snapshot refreshed = routing.refresh("read-epoch");
      if (refreshed.epoch() > snapshot.epoch()) {
        metrics.staleRetry();
        snapshot = refreshed;
        attempt = attempt(snapshot, request);
      }
    }
    List<SearchResult.MissingShard> missing = new ArrayList<>(attempt.missing());
    failUnlessPartialAllowed(request, missing);
    List<Match> merged = Merger.merge(attempt.answers(), request.topK(), request.merge());
    if (request.withMetadata() && !merged.isEmpty()) {
      merged = withAttributes(snapshot, merged, request, missing);
    }
    if (!missing.isEmpty()) {
      metrics.partialResult(missing.stream().map(SearchResult.MissingShard::shard).toList());
    }
    return new SearchResult(merged, !missing.isEmpty(), missing, snapshot.epoch());
  }

  private record Attempt(List<List<Match>> answers, List<SearchResult.MissingShard> missing,
      long newestEpochSeen) {}

  private record ShardAnswer(long epoch, List<Match> hits) {}

  private Attempt attempt(Routing.Snapshot snapshot, SearchRequest request) {
    RoutingTable table = snapshot.table();
    Map<ShardEndpoint, Function<ShardClient, ShardAnswer>> tasks = new LinkedHashMap<>();
    if (request.allTenants()) {
      for (ShardEndpoint shard : table.shards()) {
        tasks.put(shard, client -> {
          List<BucketLocation> keys = new ArrayList<>();
          for (String tenant : client.tenants()) {
            table.bucketsOf(tenant).stream().filter(b -> b.shard().equals(shard)).forEach(keys::add);
          }
          return query(client, keys, request);
        });
      }
    } else {
      Map<ShardEndpoint, List<BucketLocation>> byShard = new LinkedHashMap<>();
      for (String tenant : request.tenants()) {
        for (BucketLocation b : table.bucketsOf(tenant)) {
          byShard.computeIfAbsent(b.shard(), s -> new ArrayList<>()).add(b);
        }
      }
      byShard.forEach((shard, keys) -> tasks.put(shard, client -> query(client, keys, request)));
    }
    FanOut<ShardAnswer> result = fanOut(snapshot, tasks, "query", request.timeout());
    long newest = result.answers().values().stream().mapToLong(ShardAnswer::epoch).max().orElse(0);
    return new Attempt(result.answers().values().stream().map(ShardAnswer::hits).toList(), result.missing(), newest);
  }

  private static ShardAnswer query(ShardClient client, List<BucketLocation> buckets, SearchRequest request) {
    if (buckets.isEmpty()) {
      return new ShardAnswer(0, List.of());
    }
    Map<String, String> tenantOfKey = new LinkedHashMap<>();
    buckets.forEach(b -> tenantOfKey.put(b.key(), b.tenant()));
    ShardClient.QueryReply reply = client.query(new ArrayList<>(tenantOfKey.keySet()), request.vector(),
        request.topK(), request.ef(), request.filter());
    List<Match> hits = new ArrayList<>();
    reply.hitsByKey().forEach((key, list) -> list.forEach(h ->
        hits.add(new Match(tenantOfKey.get(key), h.id(), h.score(), client.id(), key, null))));
    return new ShardAnswer(reply.shardEpoch(), hits);
  }

  private List<Match> withAttributes(Routing.Snapshot snapshot, List<Match> merged, SearchRequest request,
      List<SearchResult.MissingShard> missing) {
    Map<ShardEndpoint, Function<ShardClient, Map<String, Map<String, String>>>> tasks = new LinkedHashMap<>();
    Map<String, ShardEndpoint> byId = new LinkedHashMap<>();
    snapshot.table().shards().forEach(s -> byId.put(s.id(), s));
    Map<String, Map<String, List<String>>> idsByShard = new LinkedHashMap<>();
    for (Match m : merged) {
      idsByShard.computeIfAbsent(m.shard(), s -> new LinkedHashMap<>())
          .computeIfAbsent(m.key(), k -> new ArrayList<>()).add(m.id());
    }
    idsByShard.forEach((shard, idsByKey) -> tasks.put(byId.get(shard), client -> client.attributes(idsByKey)));
    FanOut<Map<String, Map<String, String>>> fetched = fanOut(snapshot, tasks, "attributes", request.timeout());
    failUnlessPartialAllowed(request, fetched.missing());
    missing.addAll(fetched.missing());
    Map<String, Map<String, Map<String, String>>> attrs = fetched.answers();
    List<Match> result = new ArrayList<>();
    for (Match m : merged) {
      Map<String, Map<String, String>> shardAttrs = attrs.get(m.shard());
      if (shardAttrs != null) {
        result.add(m.withAttributes(shardAttrs.getOrDefault(m.key(), Map.of()).get(m.id())));
      }
    }
    return result;
  }

  /** Answers by shard id, and the shards that failed or missed the deadline. */
  private record FanOut<T>(Map<String, T> answers, List<SearchResult.MissingShard> missing) {}

  /**
   * Runs one task per shard in parallel and waits for all of them until the deadline. A filter
   * syntax error is the client's and is rethrown at once.
   */
  private <T> FanOut<T> fanOut(Routing.Snapshot snapshot, Map<ShardEndpoint, Function<ShardClient, T>> tasks,
      String op, Duration timeout) {
    Map<String, CompletableFuture<T>> futures = new LinkedHashMap<>();
    tasks.forEach((shard, task) -> {
      ShardClient client = snapshot.client(shard);
      futures.put(shard.id(), CompletableFuture.supplyAsync(
          () -> metrics.timeShard(shard.id(), op, () -> task.apply(client)), executor));
    });
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, T> answers = new LinkedHashMap<>();
    List<SearchResult.MissingShard> missing = new ArrayList<>();
    for (Map.Entry<String, CompletableFuture<T>> f : futures.entrySet()) {
      try {
        answers.put(f.getKey(), f.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
      } catch (TimeoutException e) {
        f.getValue().cancel(true);
        missing.add(new SearchResult.MissingShard(f.getKey(), true, "timed out after " + timeout.toMillis() + " ms"));
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof FilterSyntaxException filterError) {
          throw filterError;
        }
        missing.add(cause instanceof ShardException shardError
            ? new SearchResult.MissingShard(f.getKey(), shardError.timeout(), shardError.detail())
            : new SearchResult.MissingShard(f.getKey(), false, String.valueOf(cause)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ShardException(f.getKey(), false, "interrupted", e);
      }
    }
    return new FanOut<>(answers, missing);
  }

  private void failUnlessPartialAllowed(SearchRequest request, List<SearchResult.MissingShard> missing) {
    if (missing.isEmpty() || request.allowPartial()) {
      return;
    }
    SearchResult.MissingShard first = missing.get(0);
    String names = String.join(", ", missing.stream().map(SearchResult.MissingShard::shard).toList());
    throw new ShardException(first.shard(), first.timeout(),
        first.error() + (missing.size() > 1 ? " (also missing: " + names + ")" : ""), null);
  }
}
