package io.vectorshard.operator.kubernetes;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vectorshard.api.ShardStatus;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.api.VectorShardClusterStatus;
import io.vectorshard.engine.ShardObservation;
import io.vectorshard.engine.rebalance.MoveMethod;
import io.vectorshard.engine.rebalance.PlannedMove;
import java.time.Duration;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator's {@code /metrics}: reconciles and errors, per shard what the last reconcile
 * observed, and rebalancing ({@code vsc_rebalance_*}). A deleted cluster's series are dropped
 * ({@link #forget}).
 */
public final class OperatorMetrics {
  private final Counter reconciles;
  private final Counter errors;
  private final Gauge vectors;
  private final Gauge memory;
  private final Gauge shardReady;
  private final Gauge epoch;
  private final Counter moves;
  private final Counter vectorsMoved;
  private final Counter bytesMoved;
  private final Histogram writePause;
  private final Counter rebalanceFailures;
  private final Gauge rebalanceRunning;
  /** Shard label values last exported per cluster, so removed shards stop being reported. */
  private final Map<List<String>, Set<String>> exportedShards = new ConcurrentHashMap<>();

  public OperatorMetrics(PrometheusRegistry registry) {
    reconciles = Counter.builder().name("vsc_operator_reconciles_total")
        .help("Reconciles of VectorShardCluster resources by outcome: the phase they left (pending, provisioning,"
            + " ready, degraded, invalid)")
        .labelNames("namespace", "cluster", "outcome").register(registry);
    errors = Counter.builder().name("vsc_operator_reconcile_errors_total")
        .help("Reconciles that failed with an error and will be retried")
        .labelNames("namespace", "cluster").register(registry);
    vectors = Gauge.builder().name("vsc_operator_shard_vectors")
        .help("Vectors stored on a shard, as last observed by the operator")
        .labelNames("namespace", "cluster", "shard").register(registry);
    memory = Gauge.builder().name("vsc_operator_shard_memory_used_bytes")
        .help("Redis used_memory of a shard, exact, as last read by the operator")
        .labelNames("namespace", "cluster", "shard").register(registry);
    shardReady = Gauge.builder().name("vsc_operator_shard_ready")
        .help("1 when all pods of the shard's StatefulSet are ready")
        .labelNames("namespace", "cluster", "shard").register(registry);
    epoch = Gauge.builder().name("vsc_operator_routing_epoch")
        .help("Epoch of the routing table published to the cluster's shards")
        .labelNames("namespace", "cluster").register(registry);
    moves = Counter.builder().name("vsc_rebalance_moves_total")
        .help("Buckets moved to their new shard by rebalancing, by method (atomic MIGRATE or streamed copy)")
        .labelNames("namespace", "cluster", "method").register(registry);
    vectorsMoved = Counter.builder().name("vsc_rebalance_vectors_moved_total")
        .help("Vectors in the buckets moved by rebalancing").labelNames("namespace", "cluster").register(registry);
    bytesMoved = Counter.builder().name("vsc_rebalance_bytes_moved_total")
        .help("Redis memory of the buckets moved by rebalancing, as measured on their source shard")
        .labelNames("namespace", "cluster").register(registry);
    writePause = Histogram.builder().name("vsc_rebalance_write_pause_seconds")
        .help("How long a streamed bucket's writes were paused while it switched shards")
        .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
        .labelNames("namespace", "cluster").register(registry);
    rebalanceFailures = Counter.builder().name("vsc_rebalance_failures_total")
        .help("Rebalance attempts that failed and will be retried with backoff").labelNames("namespace", "cluster").register(registry);
    rebalanceRunning = Gauge.builder().name("vsc_rebalance_running")
        .help("1 while a rebalance attempt is moving the cluster's data").labelNames("namespace", "cluster").register(registry);
  }

  public void moved(ResourceID cluster, PlannedMove move) {
    String ns = cluster.getNamespace().orElse("");
    moves.labelValues(ns, cluster.getName(), methodLabel(move.method())).inc();
    vectorsMoved.labelValues(ns, cluster.getName()).inc(move.move().vectors());
    bytesMoved.labelValues(ns, cluster.getName()).inc(move.bytes());
  }

  private static String methodLabel(MoveMethod method) {
    return method.name().toLowerCase(Locale.ROOT);
  }

  public void writePaused(ResourceID cluster, Duration pause) {
    writePause.labelValues(cluster.getNamespace().orElse(""), cluster.getName()).observe(pause.toNanos() / 1e9);
  }

  public void rebalanceFailed(ResourceID cluster) {
    rebalanceFailures.labelValues(cluster.getNamespace().orElse(""), cluster.getName()).inc();
  }

  public void rebalanceRunning(ResourceID cluster, boolean running) {
    rebalanceRunning.labelValues(cluster.getNamespace().orElse(""), cluster.getName()).set(running ? 1 : 0);
  }

  /**
   * @param observed the shards as the engine read them this reconcile, when it did: their memory
   *     is exported exactly (the status rounds it)
   */
  public void reconciled(VectorShardCluster vsc, VectorShardClusterStatus status, List<ShardObservation> observed) {
    String ns = vsc.getMetadata().getNamespace();
    String name = vsc.getMetadata().getName();
    reconciles.labelValues(ns, name, status.getPhase().name().toLowerCase()).inc();
    if (status.getEpoch() != null) {
      epoch.labelValues(ns, name).set(status.getEpoch());
    }
    Set<String> now = ConcurrentHashMap.newKeySet();
    for (ShardStatus shard : status.getShards()) {
      now.add(shard.getId());
      shardReady.labelValues(ns, name, shard.getId()).set(shard.isReady() ? 1 : 0);
      if (shard.getVectors() != null) {
        vectors.labelValues(ns, name, shard.getId()).set(shard.getVectors());
      }
    }
    observed.stream().filter(ShardObservation::reachable).filter(s -> now.contains(s.endpoint().id()))
        .forEach(s -> memory.labelValues(ns, name, s.endpoint().id()).set(s.usedMemoryBytes()));
    Set<String> before = exportedShards.put(List.of(ns, name), now);
    if (before != null) {
      before.stream().filter(id -> !now.contains(id)).forEach(id -> removeShard(ns, name, id));
    }
  }

  public void failed(VectorShardCluster vsc) {
    errors.labelValues(vsc.getMetadata().getNamespace(), vsc.getMetadata().getName()).inc();
  }

  public void forget(ResourceID cluster) {
    String ns = cluster.getNamespace().orElse("");
    String name = cluster.getName();
    for (VectorShardClusterStatus.Phase phase : VectorShardClusterStatus.Phase.values()) {
      reconciles.remove(ns, name, phase.name().toLowerCase());
    }
    errors.remove(ns, name);
    epoch.remove(ns, name);
    for (MoveMethod method : MoveMethod.values()) {
      moves.remove(ns, name, methodLabel(method));
    }
    vectorsMoved.remove(ns, name);
    bytesMoved.remove(ns, name);
    writePause.remove(ns, name);
    rebalanceFailures.remove(ns, name);
    rebalanceRunning.remove(ns, name);
    Set<String> shards = exportedShards.remove(List.of(ns, name));
    if (shards != null) {
      shards.forEach(shard -> removeShard(ns, name, shard));
    }
  }

  private void removeShard(String ns, String name, String id) {
    vectors.remove(ns, name, id);
    memory.remove(ns, name, id);
    shardReady.remove(ns, name, id);
  }
}
