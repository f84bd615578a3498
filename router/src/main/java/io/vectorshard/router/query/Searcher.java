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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
  private final QueryLimits limits;

  public Searcher(Routing routing, RouterMetrics metrics, FanOut fanOut, QueryLimits limits) {
    this.routing = routing;
    this.metrics = metrics;
    this.fanOut = fanOut;
    this.limits = limits;
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

  /** One shard's hits, its epoch at read time, and the keys found gone from it (moved meanwhile). */
  private record ShardAnswer(long epoch, List<Match> hits, Set<String> absent) {}

  private Attempt attempt(Routing.Snapshot snapshot, SearchRequest request) {
    RoutingTable table = snapshot.table();
    if (request.allTenants() && table.transition() == null) {
      // Outside transitions a shard holds only keys it owns: each shard lists its tenants and
      // searches their keys in one task.
      Map<ShardEndpoint, Function<ShardClient, ShardAnswer>> tasks = new LinkedHashMap<>();
      for (ShardEndpoint shard : table.shards()) {
        tasks.put(shard, client -> {
          List<BucketLocation> keys = new ArrayList<>();
          for (String tenant : client.tenants()) {
            table.bucketsOf(tenant).stream().filter(b -> b.shard().equals(shard)).forEach(keys::add);
          }
          limits.checkKeys(shard.id(), keys.size());
          return query(client, keys, request);
        });
      }
      Attempt attempt = new Attempt(new ArrayList<>(), new ArrayList<>(), 0);
      return gatherInto(attempt, fanOut.searches(snapshot, tasks, request.timeout(), limits.weight(request)), Map.of());
    }
    Attempt attempt = new Attempt(new ArrayList<>(), new ArrayList<>(), 0);
    List<String> tenants = request.allTenants() ? allTenants(snapshot, request, attempt.missing()) : request.tenants();
    // Each bucket is read where it is authoritative: the source while it moves (which says whether
    // it still held the key after the search), else its shard.
    Map<ShardEndpoint, List<BucketLocation>> byShard = new LinkedHashMap<>();
    Map<String, BucketLocation> byKey = new LinkedHashMap<>();
    for (String tenant : tenants) {
      for (BucketLocation b : table.bucketsOf(tenant)) {
        byShard.computeIfAbsent(b.readFrom(), s -> new ArrayList<>()).add(b);
        byKey.put(b.key(), b);
      }
    }
    byShard.forEach((shard, keys) -> limits.checkKeys(shard.id(), keys.size()));
    Map<ShardEndpoint, List<BucketLocation>> moved = new LinkedHashMap<>();
    attempt = gatherInto(attempt, fanOut.searches(snapshot, tasks(byShard, request), request.timeout(), limits.weight(request)), byKey, moved);
    if (moved.isEmpty()) {
      return attempt;
    }
    // Keys that left their source during the search: read them on their new shard.
    return gatherInto(attempt, fanOut.searches(snapshot, tasks(moved, request), request.timeout(), limits.weight(request)), byKey,
        new LinkedHashMap<>());
  }

  private static Map<ShardEndpoint, Function<ShardClient, ShardAnswer>> tasks(
      Map<ShardEndpoint, List<BucketLocation>> byShard, SearchRequest request) {
    Map<ShardEndpoint, Function<ShardClient, ShardAnswer>> tasks = new LinkedHashMap<>();
    byShard.forEach((shard, keys) -> tasks.put(shard, client -> query(client, keys, request)));
    return tasks;
  }

  /**
   * Every tenant any shard lists. During a transition a tenant may be listed only on a shard its
   * buckets are not read from (new data written to a bucket's new shard, say), so the lists are
   * gathered first and the search then planned per bucket.
   */
  private List<String> allTenants(Routing.Snapshot snapshot, SearchRequest request,
      List<SearchResult.MissingShard> missing) {
    Map<ShardEndpoint, Function<ShardClient, Set<String>>> tasks = new LinkedHashMap<>();
    snapshot.table().shards().forEach(s -> tasks.put(s, ShardClient::tenants));
    Gathered<Set<String>> lists = gather(fanOut.call(snapshot, tasks, "tenants", request.timeout()));
    missing.addAll(lists.missing());
    Set<String> tenants = new TreeSet<>();
    lists.answers().values().forEach(tenants::addAll);
    return List.copyOf(tenants);
  }

  private Attempt gatherInto(Attempt attempt, List<ShardReply<ShardAnswer>> replies, Map<String, BucketLocation> byKey) {
    return gatherInto(attempt, replies, byKey, new LinkedHashMap<>());
  }

  /** Adds a round's answers and missing shards to the attempt; keys found moved go into {@code moved}, by new shard. */
  private Attempt gatherInto(Attempt attempt, List<ShardReply<ShardAnswer>> replies, Map<String, BucketLocation> byKey,
      Map<ShardEndpoint, List<BucketLocation>> moved) {
    Gathered<ShardAnswer> result = gather(replies);
    long newest = attempt.newestEpochSeen();
    for (ShardAnswer answer : result.answers().values()) {
      newest = Math.max(newest, answer.epoch());
      attempt.answers().add(answer.hits());
      for (String key : answer.absent()) {
        BucketLocation b = byKey.get(key);
        moved.computeIfAbsent(b.shard(), s -> new ArrayList<>()).add(b);
      }
    }
    attempt.missing().addAll(result.missing());
    return new Attempt(attempt.answers(), attempt.missing(), newest);
  }

  private static ShardAnswer query(ShardClient client, List<BucketLocation> buckets, SearchRequest request) {
    if (buckets.isEmpty()) {
      return new ShardAnswer(0, List.of(), Set.of());
    }
    Map<String, String> tenantOfKey = new LinkedHashMap<>();
    Set<String> check = new LinkedHashSet<>();
    for (BucketLocation b : buckets) {
      tenantOfKey.put(b.key(), b.tenant());
      if (b.readsSourceFirst() && b.source().equals(client.endpoint())) {
        check.add(b.key());
      }
    }
    ShardClient.QueryReply reply = client.query(new ArrayList<>(tenantOfKey.keySet()), check, request.vector(),
        request.topK(), request.ef(), request.filter(), request.filterEf());
    List<Match> hits = new ArrayList<>();
    reply.hitsByKey().forEach((key, list) -> list.forEach(h ->
        hits.add(new Match(tenantOfKey.get(key), h.id(), h.score(), client.id(), key, null))));
    return new ShardAnswer(reply.shardEpoch(), hits, reply.absent());
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

  /**
   * Sorts replies into answers and missing shards. A filter syntax error or a query over a limit is
   * the client's: rethrown at once.
   */
  private static <T> Gathered<T> gather(List<ShardReply<T>> replies) {
    Map<String, T> answers = new LinkedHashMap<>();
    List<SearchResult.MissingShard> missing = new ArrayList<>();
    for (ShardReply<T> reply : replies) {
      String shard = reply.shard().id();
      if (reply.ok()) {
        answers.put(shard, reply.value());
      } else if (reply.failure() instanceof FilterSyntaxException filterError) {
        throw filterError;
      } else if (reply.failure() instanceof QueryLimitException overLimit) {
        throw overLimit;
      } else if (reply.failure() instanceof ShardException shardError) {
        missing.add(new SearchResult.MissingShard(shard, shardError.reason(), shardError.detail()));
      } else {
        missing.add(new SearchResult.MissingShard(shard, ShardException.Reason.FAILED, String.valueOf(reply.failure())));
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
    throw new ShardException(first.shard(), first.reason(),
        first.error() + (missing.size() > 1 ? " (also missing: " + names + ")" : ""), null);
  }
}
