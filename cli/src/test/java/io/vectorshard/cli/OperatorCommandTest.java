package io.vectorshard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.api.VectorShardClusterStatus.Phase;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code vsc operator} as the container image runs it: the Deployment's arguments, and the process
 * started on the image's classpath ({@code target/image-lib}, the demo's libraries left out).
 */
@EnableKubernetesMockClient(crud = true, https = false)
class OperatorCommandTest {
  static KubernetesMockServer server;
  static KubernetesClient client;

  private static List<String> deploymentArgs() throws IOException {
    Deployment deployment = Arrays.stream(Files.readString(Path.of("../deploy/operator.yaml")).split("(?m)^---$"))
        .filter(doc -> doc.contains("kind: Deployment")).map(doc -> (HasMetadata) Serialization.unmarshal(doc))
        .map(Deployment.class::cast).findFirst().orElseThrow();
    // The kubelet expands $(POD_NAMESPACE) from the env var the manifest defines.
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs().stream()
        .map(a -> a.replace("$(POD_NAMESPACE)", "vectorshard-system")).toList();
  }

  @Test
  void theInstallManifestsArgumentsParse() throws IOException {
    CommandLine.ParseResult parsed = Vsc.commandLine().parseArgs(deploymentArgs().toArray(String[]::new));

    OperatorCommand command = (OperatorCommand) parsed.subcommand().commandSpec().userObject();
    assertThat(command.leaseNamespace).isEqualTo("vectorshard-system");
    assertThat(command.metricsPort).isEqualTo(8081);
    assertThat(command.namespaces).isNull(); // every namespace, as the ClusterRole allows
  }

  @Test
  void onTheImageClasspathItReconcilesAgainstAnApiServer() throws Exception {
    client.apiextensions().v1().customResourceDefinitions().resource(Serialization.unmarshal(
        Files.readString(Path.of("../crds/vectorshardclusters.vectorshard.io-v1.yml")), CustomResourceDefinition.class))
        .create();
    VectorShardCluster vsc = new VectorShardCluster();
    vsc.getMetadata().setName("rag");
    vsc.getMetadata().setNamespace("apps");
    vsc.getSpec().setShards(1);
    vsc.getSpec().getVectors().setDimensions(3);
    client.resource(vsc).create();

    Child operator = vsc("http://localhost:" + server.getPort(), "operator", "--metrics-port", "0");
    try {
      Instant deadline = Instant.now().plusSeconds(60);
      while (client.apps().statefulSets().inNamespace("apps").withName("rag-shard-0").get() == null
          || client.resource(vsc).get().getStatus() == null) {
        assertThat(operator.isAlive()).as("vsc operator exited: %s", operator.output()).isTrue();
        assertThat(Instant.now()).as("vsc operator did not reconcile in time: %s; status: %s", operator.output(),
            client.resource(vsc).get().getStatus()).isBefore(deadline);
        Thread.sleep(200);
      }
      StatefulSet shard = client.apps().statefulSets().inNamespace("apps").withName("rag-shard-0").get();
      assertThat(shard.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).startsWith("redis:8");
      assertThat(client.resource(vsc).get().getStatus().getPhase()).isEqualTo(Phase.Provisioning);
    } finally {
      operator.process().destroy();
      operator.process().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void withoutAnApiServerItSaysSoAndExitsWith2() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String master = "http://127.0.0.1:" + port;
    Child operator = vsc(master, "operator", "--metrics-port", "0");

    assertThat(operator.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(operator.process().exitValue()).isEqualTo(2);
    assertThat(operator.output()).contains("cannot reach the Kubernetes API server at " + master);
  }

  /** {@code vsc} in a new JVM on the image's classpath, its output going to a file. */
  private record Child(Process process, Path log) {
    boolean isAlive() {
      return process.isAlive();
    }

    String output() throws IOException {
      return Files.readString(log, StandardCharsets.UTF_8);
    }
  }

  private static Child vsc(String master, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Dkubernetes.master=" + master, "-Dkubernetes.auth.tryKubeConfig=false",
        "-Dkubernetes.request.retry.backoffLimit=0",
        "-cp", "target/classes" + File.pathSeparator + "target/image-lib/*", Vsc.class.getName()));
    command.addAll(List.of(args));
    Path log = Files.createTempFile(Path.of("target"), "vsc-operator", ".log");
    return new Child(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start(), log);
  }
}
