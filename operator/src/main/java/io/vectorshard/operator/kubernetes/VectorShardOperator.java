package io.vectorshard.operator.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The operator process: one controller for {@code VectorShardCluster}, optional leader election,
 * and a Prometheus {@code /metrics} endpoint.
 *
 * <p>Server-side apply is off, for dependents and for status patches: the Fabric8 mock API server
 * the tests run against does not implement it (DESIGN section 5), and the tests must exercise the
 * code path production runs. Updates are then plain updates matched field by field against the
 * desired objects, which is what Apache Flink's operator does too.
 */
public final class VectorShardOperator implements AutoCloseable {
  /**
   * @param namespaces namespaces to watch; empty means all
   * @param leaseNamespace where the leader-election Lease lives; empty disables leader election
   * @param identity this replica's name in the Lease (the pod name)
   * @param metricsPort port of {@code /metrics}; 0 for none
   */
  public record Settings(Set<String> namespaces, Optional<String> leaseNamespace, String identity,
      String clusterDomain, Duration redisTimeout, int metricsPort) {
    public static final String LEASE_NAME = "vectorshard-operator";
  }

  private final Operator operator;
  private final HTTPServer metricsServer;

  private VectorShardOperator(Operator operator, HTTPServer metricsServer) {
    this.operator = operator;
    this.metricsServer = metricsServer;
  }

  public static VectorShardOperator start(KubernetesClient client, Settings settings, ShardAddresses addresses,
      PrometheusRegistry registry) {
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          .withSSABasedCreateUpdateMatchForDependentResources(false)
          .withUseSSAToPatchPrimaryResource(false);
      settings.leaseNamespace().ifPresent(ns ->
          o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(Settings.LEASE_NAME, ns, settings.identity())));
    });
    VectorShardClusterReconciler reconciler = new VectorShardClusterReconciler(addresses, settings.clusterDomain(),
        settings.redisTimeout(), new OperatorMetrics(registry), Clock.systemUTC());
    operator.register(reconciler, c -> {
      if (!settings.namespaces().isEmpty()) {
        c.settingNamespaces(settings.namespaces());
      }
    });
    HTTPServer metrics = null;
    if (settings.metricsPort() > 0) {
      try {
        metrics = HTTPServer.builder().port(settings.metricsPort()).registry(registry).buildAndStart();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot serve /metrics on port " + settings.metricsPort(), e);
      }
    }
    operator.start();
    return new VectorShardOperator(operator, metrics);
  }

  @Override
  public void close() {
    operator.stop();
    if (metricsServer != null) {
      metricsServer.close();
    }
  }
}
