package io.vectorshard.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vectorshard.operator.kubernetes.ShardAddresses;
import io.vectorshard.operator.kubernetes.VectorShardOperator;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/** {@code vsc operator}: runs the Kubernetes operator in the current kube context or in-cluster. */
@CommandLine.Command(name = "operator", mixinStandardHelpOptions = true,
    description = "Run the VectorShardCluster operator against the current Kubernetes context (in-cluster when run in a pod).")
final class OperatorCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(names = "--namespace", split = ",", defaultValue = "${env:VSC_WATCH_NAMESPACES}",
      description = "Namespaces to watch (comma-separated); all namespaces when unset. Env: VSC_WATCH_NAMESPACES")
  List<String> namespaces;

  @CommandLine.Option(names = "--lease-namespace", defaultValue = "${env:VSC_LEASE_NAMESPACE}",
      description = "Enables leader election with a Lease in this namespace (set it when running more than one replica). Env: VSC_LEASE_NAMESPACE")
  String leaseNamespace;

  @CommandLine.Option(names = "--metrics-port", defaultValue = "8081", description = "Port of /metrics; 0 for none (default: ${DEFAULT-VALUE})")
  int metricsPort;

  @CommandLine.Option(names = "--cluster-domain", defaultValue = "cluster.local", description = "Cluster DNS domain (default: ${DEFAULT-VALUE})")
  String clusterDomain;

  /**
   * This replica's name in the Lease: the pod name in a cluster (the manifest sets HOSTNAME to it);
   * elsewhere the host name plus a random suffix, so two operators started by hand never share one.
   */
  private static String identity() {
    String pod = System.getenv("HOSTNAME");
    if (pod != null && !pod.isBlank()) {
      return pod;
    }
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "vsc-operator";
    }
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Override
  public Integer call() throws InterruptedException {
    String identity = identity();
    VectorShardOperator.Settings settings = new VectorShardOperator.Settings(
        namespaces == null ? Set.of() : new LinkedHashSet<>(namespaces),
        Optional.ofNullable(leaseNamespace).filter(s -> !s.isBlank())
            .map(ns -> VectorShardOperator.LeaderElection.standard(ns, identity)),
        clusterDomain, Duration.ofSeconds(5), metricsPort);
    KubernetesClient client = new KubernetesClientBuilder().build();
    try {
      client.getKubernetesVersion();
    } catch (RuntimeException e) {
      spec.commandLine().getErr().printf("cannot reach the Kubernetes API server at %s (%s); check the kube context or run in a pod%n",
          client.getMasterUrl(), e.getMessage());
      client.close();
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    VectorShardOperator operator = VectorShardOperator.start(client, settings,
        ShardAddresses.clusterDns(clusterDomain), PrometheusRegistry.defaultRegistry);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      operator.close();
      client.close();
      stopped.countDown();
    }, "vsc-operator-shutdown"));
    System.out.printf("vectorshard operator running against %s (namespaces: %s, leader election: %s, metrics: %s)%n",
        client.getMasterUrl(), settings.namespaces().isEmpty() ? "all" : String.join(",", settings.namespaces()),
        settings.leaderElection().map(le -> "Lease " + le.namespace() + "/" + VectorShardOperator.LeaderElection.LEASE_NAME
            + " as " + le.identity()).orElse("off"),
        metricsPort > 0 ? ":" + metricsPort + "/metrics" : "off");
    stopped.await();
    return 0;
  }
}
