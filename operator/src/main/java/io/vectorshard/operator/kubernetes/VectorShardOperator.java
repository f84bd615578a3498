package io.vectorshard.operator.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
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
   * @param leaderElection the Lease replicas compete for; empty runs without leader election
   * @param metricsPort port of {@code /metrics}; 0 for none
   */
  public record Settings(Set<String> namespaces, Optional<LeaderElection> leaderElection, String clusterDomain,
      Duration redisTimeout, int metricsPort) {}

  /**
   * Leader election: only the replica holding the Lease reconciles; the others keep warm caches.
   *
   * @param identity this replica's name in the Lease (the pod name)
   * @param exitOnLoss end the process when the lease is lost, so a replica that may still be
   *     reconciling cannot overlap with the new leader (Kubernetes restarts it as a follower);
   *     only tests that run several operators in one JVM turn it off
   */
  public record LeaderElection(String namespace, String identity, Duration leaseDuration, Duration renewDeadline,
      Duration retryPeriod, boolean exitOnLoss) {
    public static final String LEASE_NAME = "vectorshard-operator";

    /** The timings of Kubernetes' own controllers (kube-controller-manager). */
    public static LeaderElection standard(String namespace, String identity) {
      return new LeaderElection(namespace, identity, Duration.ofSeconds(15), Duration.ofSeconds(10),
          Duration.ofSeconds(2), true);
    }

    LeaderElectionConfiguration configuration() {
      return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME).withLeaseNamespace(namespace)
          .withIdentity(identity).withLeaseDuration(leaseDuration).withRenewDeadline(renewDeadline)
          .withRetryPeriod(retryPeriod).withExitOnStopLeading(exitOnLoss).build();
    }
  }

  private final Operator operator;
  private final ClusterConnections connections;
  private final HTTPServer metricsServer;

  private VectorShardOperator(Operator operator, ClusterConnections connections, HTTPServer metricsServer) {
    this.operator = operator;
    this.connections = connections;
    this.metricsServer = metricsServer;
  }

  public static VectorShardOperator start(KubernetesClient client, Settings settings, ShardAddresses addresses,
      PrometheusRegistry registry) {
    OperatorMetrics metrics = new OperatorMetrics(registry);
    ClusterConnections connections = new ClusterConnections(settings.redisTimeout());
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withMetrics(new ClusterDeletions(List.of(metrics::forget, connections::forget)))
          .withCloseClientOnStop(false)
          .withSSABasedCreateUpdateMatchForDependentResources(false)
          .withUseSSAToPatchPrimaryResource(false);
      settings.leaderElection().ifPresent(le -> o.withLeaderElectionConfiguration(le.configuration()));
    });
    VectorShardClusterReconciler reconciler = new VectorShardClusterReconciler(addresses, settings.clusterDomain(),
        connections, metrics, Clock.systemUTC());
    operator.register(reconciler, c -> {
      if (!settings.namespaces().isEmpty()) {
        c.settingNamespaces(settings.namespaces());
      }
    });
    HTTPServer metricsServer = null;
    if (settings.metricsPort() > 0) {
      try {
        metricsServer = HTTPServer.builder().port(settings.metricsPort()).registry(registry).buildAndStart();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot serve /metrics on port " + settings.metricsPort(), e);
      }
    }
    operator.start();
    return new VectorShardOperator(operator, connections, metricsServer);
  }

  @Override
  public void close() {
    operator.stop();
    connections.close();
    if (metricsServer != null) {
      metricsServer.close();
    }
  }
}
