package io.vectorshard.operator.kubernetes.testing;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes control plane for tests, one per test JVM ({@link #shared()}), reused across
 * test classes: Fabric8's kube-api-test (etcd and kube-apiserver, offline, from the binaries
 * {@code scripts/kube-binaries.sh} provides), then kube-controller-manager (StatefulSet, garbage
 * collector, namespace and volume controllers), kube-scheduler, kwok with {@link #NODES} fake nodes,
 * a {@link ProcessKubelet} that backs each shard pod with a real redis-server on the pod's IP, and
 * a volume provisioner for the pods' claims.
 *
 * <p>Every address stays on 127.0.0.0/8: pod IPs come from {@link #POD_CIDR}, nodes from
 * {@link #NODE_IP}. kube-api-test sets {@code --service-cluster-ip-range 10.0.0.0/24}; the
 * operator's Services are headless, and nothing here ever connects to a ClusterIP.
 */
public final class ControlPlane implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);
  public static final String POD_CIDR = "127.1.0.0/24";
  public static final String NODE_IP = "127.1.1.1";
  public static final int NODES = 2;
  static final String NODE_PREFIX = "vsc-node-";
  /** Nodes carrying this annotation are kwok's to run. */
  static final String KWOK_ANNOTATION = "kwok.x-k8s.io/node";
  private static ControlPlane shared;
  private static RuntimeException failedStart;

  private final KubeBinaries binaries;
  private final KubeAPIServer apiServer;
  private final String kubeconfig;
  private final Path work;
  private final List<Process> components;
  private final KubernetesClient admin;
  private final ProcessKubelet kubelet;
  private final VolumeProvisioner provisioner;
  private final Leftovers leftovers;

  private ControlPlane(KubeBinaries binaries, KubeAPIServer apiServer, String kubeconfig, Path work, List<Process> components,
      KubernetesClient admin, ProcessKubelet kubelet, VolumeProvisioner provisioner, Leftovers leftovers) {
    this.binaries = binaries;
    this.apiServer = apiServer;
    this.kubeconfig = kubeconfig;
    this.work = work;
    this.components = components;
    this.admin = admin;
    this.kubelet = kubelet;
    this.provisioner = provisioner;
    this.leftovers = leftovers;
  }

  /** The JVM's control plane, started on first use and stopped when the JVM exits. */
  public static synchronized ControlPlane shared() {
    if (failedStart != null) {
      throw new IllegalStateException("the control plane failed to start earlier in this JVM", failedStart);
    }
    if (shared == null) {
      try {
        shared = start();
      } catch (RuntimeException e) {
        failedStart = e;
        throw e;
      }
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "vsc-control-plane-stop"));
    }
    return shared;
  }

  private static ControlPlane start() {
    Instant began = Instant.now();
    KubeBinaries binaries = KubeBinaries.locate();
    Path root = Path.of(System.getProperty("java.io.tmpdir"), "vectorshard-control-plane");
    Leftovers leftovers = Leftovers.in(root);
    leftovers.killAll(); // from a test JVM that was killed before its shutdown hook ran
    try {
      Path work = Files.createTempDirectory(Files.createDirectories(root), "run-");
      KubeAPIServer apiServer = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
          .withTestDir(binaries.testDir().toString())
          .withApiServerVersion(binaries.version())
          .withOfflineMode(true)
          .withStartupTimeout(120_000)
          .withApiServerFlag("--bind-address", "127.0.0.1")
          .withApiServerFlag("--advertise-address", "127.0.0.1")
          .build());
      apiServer.start();
      leftovers.recordChildren();
      String kubeconfig = apiServer.getKubeConfigYaml();
      Path kubeconfigFile = work.resolve("kubeconfig");
      Files.writeString(kubeconfigFile, kubeconfig);
      KubernetesClient admin = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();

      List<Process> components = new ArrayList<>();
      String kc = kubeconfigFile.toString();
      components.add(component(binaries, work, "kube-controller-manager", "--kubeconfig=" + kc,
          "--leader-elect=false", "--secure-port=0",
          // kwok's nodes send no heartbeats: without this controller they would turn NotReady after
          // 40 s, be tainted, and have their pods evicted.
          "--controllers=*,-node-lifecycle-controller",
          // Collect fast: tests wait for deleted clusters' objects to go.
          "--concurrent-gc-syncs=5", "--concurrent-statefulset-syncs=5"));
      components.add(component(binaries, work, "kube-scheduler", "--kubeconfig=" + kc, "--leader-elect=false",
          "--secure-port=0"));
      components.add(component(binaries, work, "kwok", "--kubeconfig=" + kc, "--manage-all-nodes=false",
          "--manage-nodes-with-annotation-selector=" + KWOK_ANNOTATION + "=fake", "--cidr=" + POD_CIDR,
          "--node-ip=" + NODE_IP, "--config=" + stages(work)));
      components.forEach(leftovers::record);

      for (int i = 0; i < NODES; i++) {
        admin.nodes().resource(node(NODE_PREFIX + i)).create();
      }
      await("kwok to report the fake nodes Ready", Duration.ofSeconds(60), () -> admin.nodes().list().getItems()
          .stream().filter(ControlPlane::ready).count() == NODES, components, work);
      // The API server taints new nodes not-ready; with the node lifecycle controller off, lifting
      // the taint once the node is Ready is ours to do.
      for (int i = 0; i < NODES; i++) {
        admin.nodes().withName(NODE_PREFIX + i).edit(n -> {
          n.getSpec().setTaints(List.of());
          return n;
        });
      }
      ProcessKubelet kubelet = new ProcessKubelet(admin, work.resolve("pods"), leftovers);
      VolumeProvisioner provisioner = VolumeProvisioner.start(admin, work.resolve("volumes"));
      LOG.info("control plane {} ready in {} ms (logs in {})", binaries.version(),
          Duration.between(began, Instant.now()).toMillis(), work);
      return new ControlPlane(binaries, apiServer, kubeconfig, work, components, admin, kubelet, provisioner, leftovers);
    } catch (IOException e) {
      leftovers.killAll();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      leftovers.killAll(); // nothing half-started stays behind
      throw e;
    }
  }

  /** kwok's stages, from this package's resources (kwok has no built-in ones). */
  private static String stages(Path work) throws IOException {
    try (InputStream in = ControlPlane.class.getResourceAsStream("kwok-stages.yaml")) {
      Path file = work.resolve("kwok-stages.yaml");
      Files.write(file, in.readAllBytes());
      return file.toString();
    }
  }

  private static Node node(String name) {
    Map<String, Quantity> capacity = Map.of("cpu", new Quantity("32"), "memory", new Quantity("256Gi"),
        "pods", new Quantity("110"));
    return new NodeBuilder()
        .withNewMetadata().withName(name)
          .withAnnotations(Map.of(KWOK_ANNOTATION, "fake", "node.alpha.kubernetes.io/ttl", "0"))
          .withLabels(Map.of("kubernetes.io/hostname", name, "kubernetes.io/os", "linux", "type", "kwok"))
        .endMetadata()
        .withNewStatus().withCapacity(capacity).withAllocatable(capacity).endStatus()
        .build();
  }

  private static boolean ready(Node node) {
    return node.getStatus() != null && node.getStatus().getConditions() != null && node.getStatus().getConditions()
        .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /**
   * Starts a program of the control plane, logging to {@code <work>/<name>.log}. HOME is the work
   * directory, so no configuration of the user's (kwok also reads ~/.kwok/kwok.yaml) changes the test bed.
   */
  private static Process component(KubeBinaries binaries, Path work, String name, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(binaries.binary(name).toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(work.resolve(name + ".log").toFile());
    builder.environment().put("HOME", work.toString());
    return builder.start();
  }

  /** Waits for a condition of the control plane itself, failing early when one of its programs dies. */
  private static void await(String what, Duration timeout, BooleanSupplier done, List<Process> components, Path work) {
    Instant deadline = Instant.now().plus(timeout);
    while (!done.getAsBoolean()) {
      components.stream().filter(p -> !p.isAlive()).findFirst().ifPresent(p -> {
        throw new IllegalStateException(p.info().command().orElse("a control plane program") + " exited with "
            + p.exitValue() + " while waiting for " + what + "; its log is in " + work);
      });
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
      }
      sleep(100);
    }
  }

  /** A client with the cluster-admin rights of kube-api-test's own certificate (system:masters). */
  public KubernetesClient admin() {
    return admin;
  }

  /**
   * A client that authenticates as a ServiceAccount with a token from the TokenRequest API, as a pod
   * running under it would: it has exactly the rights RBAC bindings give that account.
   */
  public KubernetesClient as(String namespace, String serviceAccount) {
    Config adminConfig = admin.getConfiguration();
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl(adminConfig.getMasterUrl())
        .withCaCertFile(adminConfig.getCaCertFile()).withCaCertData(adminConfig.getCaCertData())
        .withOauthToken(token(namespace, serviceAccount)).withNamespace(namespace)
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** A one-hour token of a ServiceAccount, from the TokenRequest API. */
  public String token(String namespace, String serviceAccount) {
    return admin.serviceAccounts().inNamespace(namespace).withName(serviceAccount)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus().getToken();
  }

  /**
   * The environment a program of ours (another JVM) needs to reach this API server as a
   * ServiceAccount, in the variables Fabric8's client reads.
   */
  public Map<String, String> clientEnvironment(String namespace, String serviceAccount) {
    Config adminConfig = admin.getConfiguration();
    return Map.of("KUBERNETES_MASTER", adminConfig.getMasterUrl(), "KUBERNETES_CERTS_CA_FILE", adminConfig.getCaCertFile(),
        "KUBERNETES_AUTH_TOKEN", token(namespace, serviceAccount), "KUBERNETES_AUTH_TRYKUBECONFIG", "false");
  }

  public String kubeconfig() {
    return kubeconfig;
  }

  /**
   * Runs the real kubectl against this control plane as cluster admin and returns what it printed;
   * a non-zero exit fails with its output.
   */
  public String kubectl(String... args) {
    List<String> command = new ArrayList<>(List.of(binaries.binary("kubectl").toString(),
        "--kubeconfig=" + work.resolve("kubeconfig")));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("kubectl " + String.join(" ", args) + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Where the control plane's programs log (kube-controller-manager.log, ...) and the pods' data lie. */
  public Path workDirectory() {
    return work;
  }

  public ProcessKubelet kubelet() {
    return kubelet;
  }

  @Override
  public void close() {
    kubelet.close();
    provisioner.close();
    admin.close();
    for (Process p : components) {
      p.destroy();
    }
    for (Process p : components) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    apiServer.stop();
    leftovers.killAll();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

}
