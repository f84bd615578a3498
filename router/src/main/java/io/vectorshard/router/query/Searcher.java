package io.vectorshard.router.query;

import io.vectorshard.core.redis.FilterSyntaxException;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardException;
import io.vectorshard.core.routing.RoutingTable;
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
 * Answers similarity queries: plans which keys each shard must search, queries the shards in
 * parallel through {@link FanOut} (a deadline per shard call), merges, then fetches the winners'
 * attributes (contract 4 and 5). A query costs about the slowest shard, not the sum.
 */
public final class Searcher {
  private final Routing routing;
  private final RouterMetrics metrics;
  private final FanOut fanOut;

  public Searcher(Routing routing, RouterMetrics metrics, FanOut fanOut) {
    this.routing = routing;
    this.metrics = metrics;
    this.fanOut = fanOut;
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
    Gathered<ShardAnswer> result = gather(fanOut.call(snapshot, tasks, "query", request.timeout()));
    long newest = 0;
    List<List<Match>> hits = new ArrayList<>(result.answers().size());
    for (ShardAnswer answer : result.answers().values()) {
      newest = Math.max(newest, answer.epoch());
      hits.add(answer.hits());
    }
    return new Attempt(hits, result.missing(), newest);
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
    Gathered<Map<String, Map<String, String>>> fetched =
        gather(fanOut.call(snapshot, tasks, "attributes", request.timeout()));
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
  private record Gathered<T>(Map<String, T> answers, List<SearchResult.MissingShard> missing) {}

  /** Sorts replies into answers and missing shards. A filter syntax error is the client's: rethrown at once. */
  private static <T> Gathered<T> gather(List<ShardReply<T>> replies) {
    Map<String, T> answers = new LinkedHashMap<>();
    List<SearchResult.MissingShard> missing = new ArrayList<>();
    for (ShardReply<T> reply : replies) {
      String shard = reply.shard().id();
      if (reply.ok()) {
        answers.put(shard, reply.value());
      } else if (reply.failure() instanceof FilterSyntaxException filterError) {
        throw filterError;
      } else if (reply.failure() instanceof ShardException shardError) {
        missing.add(new SearchResult.MissingShard(shard, shardError.timeout(), shardError.detail()));
      } else {
        missing.add(new SearchResult.MissingShard(shard, false, String.valueOf(reply.failure())));
      }
    }
    return new Gathered<>(answers, missing);
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
