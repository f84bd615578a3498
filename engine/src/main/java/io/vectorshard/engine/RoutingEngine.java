package io.vectorshard.engine;

import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.core.redis.Keys;
import io.vectorshard.core.redis.Keys.BucketKey;
import io.vectorshard.core.redis.ShardAdmin;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardClients;
import io.vectorshard.core.redis.ShardException;
import io.vectorshard.core.routing.RoutingPublisher;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.RoutingTableCodec;
import io.vectorshard.core.routing.ShardEndpoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The desired-state engine's Redis side, shared by the Kubernetes reconciler and {@code vsc local}:
 * observe the shards, let {@link TablePlanner} decide, load the function library and publish the
 * routing table. Whoever runs the shards (StatefulSets or local processes) calls {@link #sync}
 * once they are up.
 */
public final class RoutingEngine {
  private final ShardClients clients;

  /** Works through {@code clients}, which stay open: the caller owns them. */
  public RoutingEngine(ShardClients clients) {
    this.clients = clients;
  }

  /** What the shards hold and which table is live (the one with the highest epoch). */
  public record Observation(List<ShardObservation> shards, Optional<RoutingTable> liveTable, Inventory inventory) {
    public List<ShardObservation> unreachable() {
      return shards.stream().filter(s -> !s.reachable()).toList();
    }
  }

  /** The decision, what it was based on, and the table routers are served after it. */
  public record Outcome(TableDecision decision, Observation observed, Optional<RoutingTable> served) {}

  public Observation observe(List<ShardEndpoint> endpoints) {
    List<ShardObservation> shards = endpoints.stream().map(this::observe).toList();
    Optional<RoutingTable> live = shards.stream().filter(s -> s.routingJson().isPresent())
        .max(Comparator.comparingLong(ShardObservation::epoch))
        .map(s -> RoutingTableCodec.fromJson(s.routingJson().get()));
    Map<Integer, Map<BucketKey, Long>> buckets = new LinkedHashMap<>();
    shards.forEach(s -> buckets.put(s.endpoint().ordinal(), s.buckets()));
    return new Observation(shards, live, new Inventory(buckets));
  }

  private ShardObservation observe(ShardEndpoint endpoint) {
    try {
      ShardClient shard = clients.get(endpoint);
      ShardAdmin admin = shard.admin();
      Map<BucketKey, Long> buckets = new LinkedHashMap<>();
      admin.bucketSizes().forEach((key, size) -> Keys.parseBucket(key).ifPresent(b -> buckets.put(b, size)));
      return new ShardObservation(endpoint, shard.epoch(), Optional.ofNullable(shard.routingJson()), buckets,
          admin.usedMemoryBytes(), Optional.empty());
    } catch (ShardException e) {
      return ShardObservation.unreachable(endpoint, e.getMessage());
    }
  }

  /**
   * Brings the shards to the spec's table where that is safe, and makes sure every shard has the
   * function library and the served table (a shard restarted without persistence has neither).
   *
   * @param endpoints the spec's shards, ordinals 0..n-1, all expected to be up
   * @param retiring shards that exist beyond the spec's count (scale-down): observed, so data on
   *     them blocks the change, and fenced with the new epoch before they go away
   */
  public Outcome sync(String cluster, VectorShardClusterSpec spec, List<ShardEndpoint> endpoints,
      List<ShardEndpoint> retiring) {
    Observation observed = observe(Stream.concat(endpoints.stream(), retiring.stream()).toList());
    if (!observed.unreachable().isEmpty()) {
      String names = String.join(", ", observed.unreachable().stream()
          .map(s -> s.endpoint().id() + " (" + s.error().orElse("") + ")").toList());
      return new Outcome(new TableDecision.Blocked(Reason.ShardUnreachable, "cannot reach " + names, List.of()),
          observed, observed.liveTable());
    }
    RoutingTable desired = RoutingTable.of(cluster, 1, spec, endpoints);
    TableDecision decision = TablePlanner.decide(desired, observed.liveTable(), observed.inventory());
    RoutingPublisher publisher = new RoutingPublisher(clients);
    Optional<RoutingTable> served = switch (decision) {
      case TableDecision.Publish p -> {
        publisher.publishTo(p.table(), Stream.concat(p.table().shards().stream(), retiring.stream()).toList());
        yield Optional.of(p.table());
      }
      case TableDecision.Unchanged u -> {
        repair(publisher, u.table(), observed);
        yield Optional.of(u.table());
      }
      case TableDecision.Blocked b -> {
        observed.liveTable().ifPresent(live -> repair(publisher, live, observed));
        yield observed.liveTable();
      }
      case TableDecision.Rebalance r -> {
        // Data moves only when the adapter runs the rebalance (approval is its decision).
        observed.liveTable().ifPresent(live -> repair(publisher, live, observed));
        yield observed.liveTable();
      }
    };
    return new Outcome(decision, observed, served);
  }

  /** Publishes the table to the shards of it that do not have its epoch. */
  private static void repair(RoutingPublisher publisher, RoutingTable table, Observation observed) {
    List<ShardEndpoint> behind = new ArrayList<>();
    for (ShardObservation s : observed.shards()) {
      if (s.epoch() != table.epoch() && table.shards().contains(s.endpoint())) {
        behind.add(s.endpoint());
      }
    }
    if (!behind.isEmpty()) {
      publisher.publishTo(table, behind);
    }
  }
}
