package io.vectorshard.local;

import io.vectorshard.core.redis.ShardClients;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.routing.Transition;
import io.vectorshard.engine.RoutingEngine;
import io.vectorshard.engine.ShardObservation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What {@code vsc local status} shows of one cluster: its processes, what each shard holds, the
 * live routing table and, while one runs, the transition and its progress. A record, so
 * {@code -o json} prints exactly these fields.
 *
 * @param epoch the live table's epoch, null when no shard answers
 * @param transition the transition in the live table, null when none runs
 * @param progress the latest progress an apply wrote, null when none is running (or it ended)
 */
public record LocalStatus(String cluster, List<Shard> shards, Router router, Long epoch, TransitionState transition,
    Progress progress) {

  public record Shard(int ordinal, int port, boolean up, long vectors, int tenants, String error) {}

  public record Router(String url, long pid, boolean running) {}

  /** The latest progress of a running apply, as it writes it to {@code progress.json}. */
  public record Progress(String updated, int movesDone, int movesTotal, long vectorsMoved, long vectorsTotal,
      long bytesMoved, long bytesTotal, String current, long etaSeconds, Long lastWritePauseMillis,
      List<Long> writePausesMillis) {}

  /** A transition from {@code fromShards} to {@code toShards}, with its streamed buckets' phases. */
  public record TransitionState(int fromShards, int toShards, List<Transition.StreamedBucket> streams) {}

  static LocalStatus of(LocalState state, Path clusterDir) {
    List<ShardEndpoint> endpoints = state.shards().stream()
        .map(s -> ShardEndpoint.of(s.ordinal(), "127.0.0.1", s.port())).toList();
    RoutingEngine.Observation observed;
    try (ShardClients clients = new ShardClients(LocalCredentials.read(clusterDir).adminCredentials(), Duration.ofSeconds(2))) {
      observed = new RoutingEngine(clients).observe(endpoints);
    }
    List<Shard> shards = observed.shards().stream().map(LocalStatus::shard).toList();
    Optional<RoutingTable> live = observed.liveTable();
    TransitionState transition = live.map(RoutingTable::transition)
        .map(t -> new TransitionState(t.from().shards(), live.get().placement().shards(), t.streams())).orElse(null);
    boolean running = LocalCluster.alive(state.router().pid());
    return new LocalStatus(state.cluster(), shards, new Router(state.router().url(), state.router().pid(), running),
        live.map(RoutingTable::epoch).orElse(null), transition,
        transition == null ? null : LocalProgress.read(clusterDir).orElse(null));
  }

  private static Shard shard(ShardObservation s) {
    return new Shard(s.endpoint().ordinal(), s.endpoint().port(), s.reachable(), s.vectors(), s.tenants(), s.error().orElse(null));
  }
}
