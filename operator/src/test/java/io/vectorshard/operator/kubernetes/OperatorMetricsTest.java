package io.vectorshard.operator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.vectorshard.api.ShardStatus;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.api.VectorShardClusterStatus;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.engine.ShardObservation;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final OperatorMetrics metrics = new OperatorMetrics(registry);

  private static VectorShardCluster cluster(String name) {
    VectorShardCluster vsc = new VectorShardCluster();
    vsc.getMetadata().setName(name);
    vsc.getMetadata().setNamespace("apps");
    return vsc;
  }

  private static VectorShardClusterStatus status(int shards) {
    VectorShardClusterStatus status = new VectorShardClusterStatus();
    status.setPhase(VectorShardClusterStatus.Phase.Ready);
    status.setEpoch(3L);
    status.setShards(IntStream.range(0, shards).mapToObj(i -> new ShardStatus(ShardEndpoint.idOf(i), true,
        "h:" + i, 10L * i, ClusterStatus.roundToMiB(5_000_123), 1)).toList());
    return status;
  }

  private static ShardObservation seen(int ordinal, long memory) {
    return new ShardObservation(ShardEndpoint.of(ordinal, "h", 6379), 3, Optional.empty(), Map.of(), memory,
        Optional.empty());
  }

  /** Label sets ("cluster/shard") of a metric's data points. */
  private List<String> series(String metric) {
    return registry.scrape().stream().filter(s -> s.getMetadata().getName().equals(metric))
        .flatMap(s -> s.getDataPoints().stream()).map(p -> p.getLabels().get("cluster")
            + (p.getLabels().get("shard") == null ? "" : "/" + p.getLabels().get("shard"))).sorted().toList();
  }

  private double gauge(String metric, String shard) {
    MetricSnapshot snapshot = registry.scrape().stream().filter(s -> s.getMetadata().getName().equals(metric))
        .findFirst().orElseThrow();
    return ((GaugeSnapshot) snapshot).getDataPoints().stream().filter(p -> shard.equals(p.getLabels().get("shard")))
        .mapToDouble(GaugeSnapshot.GaugeDataPointSnapshot::getValue).findFirst().orElseThrow();
  }

  @Test
  void memoryIsExportedExactlyAlthoughTheStatusRoundsIt() {
    metrics.reconciled(cluster("rag"), status(2), List.of(seen(0, 5_000_123), seen(1, 7_777_777)));

    assertThat(gauge("vsc_operator_shard_memory_used_bytes", "shard-0")).isEqualTo(5_000_123);
    assertThat(gauge("vsc_operator_shard_memory_used_bytes", "shard-1")).isEqualTo(7_777_777);
    assertThat(gauge("vsc_operator_shard_vectors", "shard-1")).isEqualTo(10);
  }

  @Test
  void aRemovedShardAndADeletedClusterStopBeingReported() {
    metrics.reconciled(cluster("rag"), status(3), List.of());
    metrics.reconciled(cluster("other"), status(1), List.of());
    metrics.failed(cluster("rag"));
    assertThat(series("vsc_operator_shard_ready")).containsExactly("other/shard-0", "rag/shard-0", "rag/shard-1",
        "rag/shard-2");

    metrics.reconciled(cluster("rag"), status(2), List.of());
    assertThat(series("vsc_operator_shard_ready")).containsExactly("other/shard-0", "rag/shard-0", "rag/shard-1");

    metrics.forget(new ResourceID("rag", "apps"));
    for (String metric : List.of("vsc_operator_shard_ready", "vsc_operator_shard_vectors",
        "vsc_operator_shard_memory_used_bytes", "vsc_operator_routing_epoch", "vsc_operator_reconciles",
        "vsc_operator_reconcile_errors")) {
      assertThat(series(metric)).as(metric).allSatisfy(s -> assertThat(s).startsWith("other"));
    }
    assertThat(series("vsc_operator_reconciles")).containsExactly("other");
  }
}
