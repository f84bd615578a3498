package io.vectorshard.local;

import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.core.redis.ShardClients;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.engine.RoutingEngine;
import io.vectorshard.engine.TableDecision;
import io.vectorshard.engine.rebalance.Rebalancer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Local mode's side of the transition engine: asks the engine what the manifest needs, runs each
 * transition it calls for (a running one first, then the manifest's), and reports progress as it
 * goes. What {@code vsc local apply} does once the shards are up.
 */
final class LocalTransition {
  /** A running transition is finished before the manifest's own is planned: at most these many in a row. */
  private static final int MAX_TRANSITIONS = 4;

  private final String cluster;
  private final VectorShardClusterSpec spec;
  private final ShardClients clients;
  private final Path clusterDir;
  private final PrintStream out;

  LocalTransition(String cluster, VectorShardClusterSpec spec, ShardClients clients, Path clusterDir, PrintStream out) {
    this.cluster = cluster;
    this.spec = spec;
    this.clients = clients;
    this.clusterDir = clusterDir;
    this.out = out;
  }

  /**
   * Runs transitions until the live table is the manifest's, and returns it.
   *
   * @param shards every shard that is up, ordinals 0..n-1: the manifest's and any beyond it
   */
  RoutingTable converge(List<ShardEndpoint> shards) {
    List<ShardEndpoint> wanted = shards.subList(0, spec.getShards());
    List<ShardEndpoint> beyond = shards.subList(spec.getShards(), shards.size());
    Rebalancer rebalancer = null;
    for (int i = 0; i <= MAX_TRANSITIONS; i++) {
      RoutingEngine.Outcome outcome = new RoutingEngine(clients).sync(cluster, spec, wanted, beyond);
      switch (outcome.decision()) {
        case TableDecision.Blocked blocked -> throw new IllegalStateException(blocked.message());
        case TableDecision.Rebalance rebalance -> {
          RoutingTable live = outcome.observed().liveTable().orElseThrow();
          out.println((rebalance.resuming() ? "resuming" : "moving data:") + " " + rebalance.describe());
          try (LocalProgress progress = new LocalProgress(out, clusterDir)) {
            rebalancer = new Rebalancer(clients, Duration.ofMillis(spec.getRebalance().getStallBudgetMs()),
                rebalancer == null ? null : rebalancer.rates(), progress);
            rebalancer.run(live, rebalance.target());
          }
          LocalProgress.finished(clusterDir);
        }
        case TableDecision.Publish publish -> {
          out.printf("published routing epoch %d (%s)%n", publish.table().epoch(), publish.why());
          return publish.table();
        }
        case TableDecision.Unchanged unchanged -> {
          return unchanged.table();
        }
      }
    }
    throw new IllegalStateException("the cluster did not reach the manifest after " + MAX_TRANSITIONS + " transitions");
  }
}
