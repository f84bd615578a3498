package io.vectorshard.operator.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import io.vectorshard.operator.kubernetes.rebalance.Rebalances;

/**
 * The operator process: one controller for {@code VectorShardCluster}, optional leader election,
 * and an HTTP port with {@code /metrics} (Prometheus) and {@code /healthz} (for probes).
 *
 * <p>Dependents are created, matched and updated with server-side apply (JOSDK's default). Measured
 * on the real API server (docs/architecture.md, "Server-side apply"): with plain updates, the
 * field-by-field match against desired objects saw the API server's defaults as differences, so
 * every reconcile rewrote each shard's Service and raced the StatefulSet controller into 409s;
 * with server-side apply a reconcile with nothing to change writes nothing. The status is written
 * with an update through {@code PrimaryUpdateAndCacheUtils}, so the next reconcile reads it back.
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
   * @param onLoss what to do when the Lease is lost while running (not when this operator is being
   *     closed): in production, end the process, so a replica that may still be reconciling cannot
   *     overlap with the new leader (Kubernetes restarts it as a standby)
   */
  public record LeaderElection(String namespace, String identity, Duration leaseDuration, Duration renewDeadline,
      Duration retryPeriod, Runnable onLoss) {
    public static final String LEASE_NAME = "vectorshard-operator";

    /** The timings of Kubernetes' own controllers (kube-controller-manager); the process exits on loss. */
    public static LeaderElection standard(String namespace, String identity) {
      return new LeaderElection(namespace, identity, Duration.ofSeconds(15), Duration.ofSeconds(10),
          Duration.ofSeconds(2), LeaderElection::exit);
    }

    private static void exit() {
      System.err.println("vectorshard operator: lost the leader Lease; exiting so a standby takes over");
      // From a thread of its own: the shutdown hooks this starts stop the elector that called us.
      Thread.ofPlatform().name("vsc-leader-lost").start(() -> System.exit(1));
    }

    /**
     * JOSDK's own exit on loss is off: it also fires when the operator is stopped on purpose (the
     * elector is cancelled), which would call System.exit from within our shutdown hook.
     */
    LeaderElectionConfiguration configuration(BooleanSupplier stopping) {
      LeaderCallbacks callbacks = new LeaderCallbacks(() -> {}, () -> {
        if (!stopping.getAsBoolean()) {
          onLoss.run();
        }
      }, leader -> {});
      return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME).withLeaseNamespace(namespace)
          .withIdentity(identity).withLeaseDuration(leaseDuration).withRenewDeadline(renewDeadline)
          .withRetryPeriod(retryPeriod).withLeaderCallbacks(callbacks).withExitOnStopLeading(false).build();
    }
  }

  private final Operator operator;
  private final ClusterConnections connections;
  private final Rebalances rebalances;
  private final AtomicBoolean stopping;
  private final HTTPServer metricsServer;

  private VectorShardOperator(Operator operator, ClusterConnections connections, Rebalances rebalances, AtomicBoolean stopping,
      HTTPServer metricsServer) {
    this.operator = operator;
    this.connections = connections;
    this.rebalances = rebalances;
    this.stopping = stopping;
    this.metricsServer = metricsServer;
  }

  public static VectorShardOperator start(KubernetesClient client, Settings settings, ShardAddresses addresses,
      PrometheusRegistry registry) {
    OperatorMetrics metrics = new OperatorMetrics(registry);
    ClusterConnections connections = new ClusterConnections(settings.redisTimeout());
    Rebalances rebalances = new Rebalances(metrics, Clock.systemUTC());
    ClusterDeletions deletions = new ClusterDeletions(List.of(metrics::forget, connections::forget, rebalances::forget));
    AtomicBoolean stopping = new AtomicBoolean();
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withMetrics(deletions)
          .withCloseClientOnStop(false);
      settings.leaderElection().ifPresent(le -> o.withLeaderElectionConfiguration(le.configuration(stopping::get)));
    });
    VectorShardClusterReconciler reconciler = new VectorShardClusterReconciler(addresses, settings.clusterDomain(),
        connections, deletions, metrics, rebalances, Clock.systemUTC());
    operator.register(reconciler, c -> {
      if (!settings.namespaces().isEmpty()) {
        c.settingNamespaces(settings.namespaces());
      }
    });
    operator.start();
    HTTPServer metricsServer = null;
    if (settings.metricsPort() > 0) {
      try {
        metricsServer = HTTPServer.builder().port(settings.metricsPort()).registry(registry)
            .defaultHandler(new HealthHandler(operator.getRuntimeInfo())).buildAndStart();
      } catch (IOException e) {
        operator.stop();
        throw new UncheckedIOException("cannot serve /metrics on port " + settings.metricsPort(), e);
      }
    }
    return new VectorShardOperator(operator, connections, rebalances, stopping, metricsServer);
  }

  @Override
  public void close() {
    stopping.set(true);
    operator.stop();
    rebalances.close();
    connections.close();
    if (metricsServer != null) {
      metricsServer.close();
    }
  }
}
