package io.vectorshard.operator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.api.VectorShardClusterStatus.Phase;
import io.vectorshard.operator.kubernetes.testing.ClusterDns;
import io.vectorshard.operator.kubernetes.testing.ControlPlane;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two operator replicas on the real control plane, each authenticated as the operator's
 * ServiceAccount with the RBAC of {@code deploy/operator.yaml}: only the Lease holder reconciles, and
 * the other takes over when it stops. The permission check JOSDK makes before campaigning (a
 * SelfSubjectRulesReview) is answered by the real API server from the leader-election Role.
 */
class LeaderElectionTest {
  private static final ControlPlane PLANE = ControlPlane.shared();
  private static final KubernetesClient client = PLANE.admin();
  private static final String LEASE_NAMESPACE = "vectorshard-system";
  private String ns;
  private KubernetesClient operatorClient;
  private VectorShardOperator first;
  private VectorShardOperator second;

  @BeforeAll
  static void install() {
    DeployManifests.installCrd(client);
    DeployManifests.load().installRbac(client, o -> o);
  }

  @BeforeEach
  void start() {
    ns = "le-" + Long.toString(System.nanoTime(), 36);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    operatorClient = PLANE.as(LEASE_NAMESPACE, DeployManifests.OPERATOR);
  }

  @AfterEach
  void stop() {
    Optional.ofNullable(first).ifPresent(VectorShardOperator::close);
    Optional.ofNullable(second).ifPresent(VectorShardOperator::close);
    operatorClient.close();
    client.namespaces().withName(ns).delete();
    client.leases().inNamespace(LEASE_NAMESPACE).withName(VectorShardOperator.LeaderElection.LEASE_NAME).delete();
  }

  /** Short timings so a hand-over takes seconds; a loss is counted (production exits the process). */
  private VectorShardOperator replica(String identity, PrometheusRegistry registry, AtomicInteger losses) {
    VectorShardOperator.LeaderElection election = new VectorShardOperator.LeaderElection(LEASE_NAMESPACE, identity,
        Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(250), losses::incrementAndGet);
    return VectorShardOperator.start(operatorClient, new VectorShardOperator.Settings(Set.of(ns), Optional.of(election),
        ClusterDns.CLUSTER_DOMAIN, Duration.ofSeconds(2), 0), ShardAddresses.clusterDns(ClusterDns.CLUSTER_DOMAIN), registry);
  }

  @Test
  void onlyTheLeaseHolderReconcilesAndAStandbyTakesOverWhenItStops() throws Exception {
    PrometheusRegistry firstMetrics = new PrometheusRegistry();
    PrometheusRegistry secondMetrics = new PrometheusRegistry();
    AtomicInteger firstLosses = new AtomicInteger();
    first = replica("operator-a", firstMetrics, firstLosses);
    await("operator-a to hold the Lease", () -> holder().equals(Optional.of("operator-a")));
    second = replica("operator-b", secondMetrics, new AtomicInteger());

    VectorShardCluster vsc = new VectorShardCluster();
    vsc.getMetadata().setName("elected");
    vsc.getMetadata().setNamespace(ns);
    vsc.getSpec().setShards(1);
    vsc.getSpec().getVectors().setDimensions(3);
    client.resource(vsc).create();
    await("the leader to make the cluster Ready", () -> phase(1) == Phase.Ready);
    Thread.sleep(1000); // time enough for a standby that wrongly reconciled to show it

    assertThat(reconciles(firstMetrics)).isPositive();
    assertThat(reconciles(secondMetrics)).isZero();
    assertThat(holder()).contains("operator-a");

    first.close();
    first = null;
    assertThat(firstLosses).as("stopping on purpose is not losing the Lease").hasValue(0);
    client.resources(VectorShardCluster.class).inNamespace(ns).withName("elected")
        .edit(v -> { v.getSpec().setShards(2); return v; });
    await("the standby to take the Lease", () -> holder().equals(Optional.of("operator-b")));
    await("the new leader to scale the cluster", () -> phase(2) == Phase.Ready);

    assertThat(reconciles(secondMetrics)).isPositive();
    assertThat(client.resources(VectorShardCluster.class).inNamespace(ns).withName("elected").get().getStatus()
        .getReadyShards()).isEqualTo(2);
  }

  @Test
  void aLeaderThatLosesTheLeaseSaysSo() throws Exception {
    AtomicInteger losses = new AtomicInteger();
    first = replica("operator-a", new PrometheusRegistry(), losses);
    await("operator-a to hold the Lease", () -> holder().equals(Optional.of("operator-a")));

    // Another holder with a fresh, long lease (a partitioned leader would find the same on return).
    client.leases().inNamespace(LEASE_NAMESPACE).withName(VectorShardOperator.LeaderElection.LEASE_NAME).edit(l -> {
      l.getSpec().setHolderIdentity("intruder");
      l.getSpec().setLeaseDurationSeconds(600);
      l.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
      return l;
    });

    await("operator-a to notice the loss", () -> losses.get() == 1);
  }

  private static Optional<String> holder() {
    Lease lease = client.leases().inNamespace(LEASE_NAMESPACE).withName(VectorShardOperator.LeaderElection.LEASE_NAME).get();
    return Optional.ofNullable(lease).map(l -> l.getSpec().getHolderIdentity());
  }

  /** The phase the operator reported for the given generation, or null before it did. */
  private Phase phase(long generation) {
    VectorShardCluster vsc = client.resources(VectorShardCluster.class).inNamespace(ns).withName("elected").get();
    return vsc.getStatus() == null || vsc.getStatus().getObservedGeneration() != generation ? null
        : vsc.getStatus().getPhase();
  }

  /** Reconciles the operator counted, over all clusters and outcomes. */
  static double reconciles(PrometheusRegistry registry) {
    return registry.scrape().stream().filter(s -> s.getMetadata().getName().equals("vsc_operator_reconciles"))
        .map(CounterSnapshot.class::cast).flatMap(s -> s.getDataPoints().stream())
        .mapToDouble(CounterSnapshot.CounterDataPointSnapshot::getValue).sum();
  }

  private static void await(String what, BooleanSupplier done) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (!done.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for " + what + "; Lease holder: " + holder());
      }
      Thread.sleep(100);
    }
  }
}
