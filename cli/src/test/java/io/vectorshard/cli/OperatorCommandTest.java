package io.vectorshard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.vectorshard.operator.kubernetes.testing.ControlPlane;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.api.VectorShardClusterStatus.Phase;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.operator.kubernetes.DeployManifests;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code vsc operator} as the container image runs it: the Deployment's arguments, in a new JVM on
 * the image's classpath (the cli classes and {@code target/image-lib}, which the Dockerfile copies;
 * the demo's libraries left out), against the real control plane of the operator's tests,
 * authenticated as the operator's ServiceAccount with the RBAC of {@code deploy/operator.yaml}.
 */
class OperatorCommandTest {

  @TempDir
  Path logs;

  /** The Deployment's arguments as the kubelet passes them, with another metrics port. */
  private static List<String> deploymentArgs(int metricsPort) {
    List<String> args = DeployManifests.load().operatorDeployment().getSpec().getTemplate().getSpec().getContainers()
        .get(0).getArgs().stream().map(a -> a.replace("$(POD_NAMESPACE)", "vectorshard-system")).toList();
    List<String> moved = new ArrayList<>(args);
    moved.set(args.indexOf("--metrics-port") + 1, Integer.toString(metricsPort));
    return moved;
  }

  @Test
  void theInstallManifestsArgumentsParse() {
    CommandLine.ParseResult parsed = Vsc.commandLine().parseArgs(deploymentArgs(8081).toArray(String[]::new));

    OperatorCommand command = (OperatorCommand) parsed.subcommand().commandSpec().userObject();
    assertThat(command.leaseNamespace).isEqualTo("vectorshard-system");
    assertThat(command.metricsPort).isEqualTo(8081);
    assertThat(command.namespaces).isNull(); // every namespace, as the ClusterRole allows
  }

  @Test
  void asDeployedItTakesTheLeaseReconcilesAndPassesItsProbes() throws Exception {
    ControlPlane plane = ControlPlane.shared();
    KubernetesClient client = plane.admin();
    DeployManifests.installCrd(client);
    DeployManifests.load().installRbac(client, o -> o);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("apps").endMetadata().build())
        .createOr(c -> c.update());
    VectorShardCluster vsc = new VectorShardCluster();
    vsc.getMetadata().setName("rag");
    vsc.getMetadata().setNamespace("apps");
    vsc.getSpec().setShards(1);
    vsc.getSpec().getVectors().setDimensions(3);
    client.resource(vsc).create();
    int metricsPort = RedisShards.freePort();

    Child operator = vsc(plane.clientEnvironment("vectorshard-system", DeployManifests.OPERATOR), deploymentArgs(metricsPort));
    try {
      Instant deadline = Instant.now().plusSeconds(60);
      while (client.apps().statefulSets().inNamespace("apps").withName("rag-shard-0").get() == null
          || client.resource(vsc).get().getStatus() == null) {
        assertThat(operator.process().isAlive()).as("vsc operator exited: %s", operator.output()).isTrue();
        assertThat(Instant.now()).as("vsc operator did not reconcile in time: %s", operator.output()).isBefore(deadline);
        Thread.sleep(200);
      }
      StatefulSet shard = client.apps().statefulSets().inNamespace("apps").withName("rag-shard-0").get();
      assertThat(shard.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).startsWith("redis:8");
      // This JVM has no cluster DNS for the shard pods' names, so the shard stays unreachable: not Ready.
      assertThat(client.resource(vsc).get().getStatus().getPhase()).isIn(Phase.Provisioning, Phase.Degraded);
      assertThat(client.leases().inNamespace("vectorshard-system").withName("vectorshard-operator").get().getSpec()
          .getHolderIdentity()).isNotBlank();
      String probe = DeployManifests.load().operatorDeployment().getSpec().getTemplate().getSpec().getContainers()
          .get(0).getLivenessProbe().getHttpGet().getPath();
      HttpResponse<String> health = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + probe)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    } finally {
      operator.stop();
    }
  }

  @Test
  void withoutAnApiServerItSaysSoAndExitsWith2() throws Exception {
    String master = "http://127.0.0.1:" + RedisShards.freePort();
    Child operator = vsc(Map.of("KUBERNETES_MASTER", master, "KUBERNETES_AUTH_TRYKUBECONFIG", "false"),
        List.of("operator", "--metrics-port", "0"));
    try {
      assertThat(operator.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(operator.process().exitValue()).isEqualTo(2);
      assertThat(operator.output()).contains("cannot reach the Kubernetes API server at " + master);
    } finally {
      operator.stop();
    }
  }

  /** {@code vsc} in a new JVM, its output going to a file. */
  private record Child(Process process, Path log) {
    String output() throws IOException {
      return Files.readString(log, StandardCharsets.UTF_8);
    }

    void stop() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  /** {@code environment}: where the API server is and how to authenticate, in Fabric8's variables. */
  private Child vsc(Map<String, String> environment, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Dkubernetes.request.retry.backoffLimit=0",
        "-cp", "target/classes" + File.pathSeparator + "target/image-lib/*", Vsc.class.getName()));
    command.addAll(args);
    Path log = Files.createTempFile(logs, "vsc", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    return new Child(builder.start(), log);
  }
}
