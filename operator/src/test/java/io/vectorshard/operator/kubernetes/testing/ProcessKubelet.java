package io.vectorshard.operator.kubernetes.testing;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vectorshard.core.redis.RedisBinary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's part that kwok leaves out, for Redis pods: every pod with a Redis image that kwok
 * has given an IP runs its container's own command (the operator's start script) as a real process
 * on this machine, with the pod's environment (Secret and field references resolved), its ConfigMap,
 * emptyDir and PersistentVolume mounts, and its network: redis-server binds the pod's IP (port
 * 6379, on 127.1.0.x), and the pod's DNS name resolves to it ({@link ClusterDns}). A process that
 * exits is restarted, as with {@code restartPolicy: Always}; a pod being deleted is stopped with
 * SIGTERM, and the pod object then deleted. Readiness is the container's own readiness probe, run
 * here. kwok gives pods their IP and Running phase ({@code kwok-stages.yaml}).
 *
 * <p>Without mount or network namespaces, two things are emulated by rewriting text: container
 * paths of mounts become host paths in the command and in mounted ConfigMap files, and a
 * {@code bind} line in a mounted {@code .conf} file becomes {@code bind <pod IP>} (a pod's network
 * namespace has just that address; {@code bind *} on the host would take port 6379 everywhere).
 */
public final class ProcessKubelet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessKubelet.class);
  private static final Pattern REDIS_IMAGE = Pattern.compile("^(.*/)?redis(:[^/]*)?(@.*)?$");
  private static final Pattern BIND = Pattern.compile("(?m)^bind .*$");

  private final KubernetesClient client;
  private final Path root;
  private final Leftovers leftovers;
  private final Path redisBin;
  private final SharedIndexInformer<Pod> pods;
  private final Map<String, Running> running = new ConcurrentHashMap<>();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "vsc-process-kubelet");
    t.setDaemon(true);
    return t;
  });

  private static final Duration PROBE_PERIOD = Duration.ofSeconds(2);

  /** A pod's process, keyed by the pod's uid, and what its last readiness probe said. */
  private record Running(String namespace, String name, String dnsName, InetAddress ip, Map<String, String> env,
      Process process, int restarts, boolean ready, Instant probedAt) {
    Running probed(boolean nowReady, Instant at) {
      return new Running(namespace, name, dnsName, ip, env, process, restarts, nowReady, at);
    }
  }

  ProcessKubelet(KubernetesClient client, Path root, Leftovers leftovers) {
    this.client = client;
    this.root = root;
    this.leftovers = leftovers;
    this.redisBin = RedisBinary.find().toAbsolutePath().getParent();
    this.pods = client.pods().inAnyNamespace().inform();
    loop.scheduleWithFixedDelay(this::sync, 0, 100, TimeUnit.MILLISECONDS);
  }

  private void sync() {
    try {
      Map<String, Pod> wanted = new LinkedHashMap<>();
      for (Pod pod : pods.getStore().list()) {
        if (pod.getSpec().getNodeName() == null || !pod.getSpec().getNodeName().startsWith(ControlPlane.NODE_PREFIX)) {
          continue;
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
          terminate(pod);
        } else if (pod.getStatus() != null && pod.getStatus().getPodIP() != null
            && REDIS_IMAGE.matcher(pod.getSpec().getContainers().get(0).getImage()).matches()) {
          wanted.put(pod.getMetadata().getUid(), pod);
        }
      }
      for (Map.Entry<String, Running> e : running.entrySet()) {
        if (!wanted.containsKey(e.getKey())) {
          stop(e.getKey(), e.getValue());
        }
      }
      for (Pod pod : wanted.values()) {
        Running now = running.get(pod.getMetadata().getUid());
        if (now == null) {
          start(pod, 0);
        } else if (!now.process().isAlive()) {
          LOG.info("pod {}/{}: process exited with {}, restarting", now.namespace(), now.name(), now.process().exitValue());
          report(pod, false, now.restarts() + 1);
          start(pod, now.restarts() + 1);
        } else {
          probe(pod, now);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("process kubelet: {}", e.toString()); // retried on the next pass, as the kubelet's sync loop does
    }
  }

  /** A pod being deleted: its process stops (SIGTERM), then the pod object goes, as after a kubelet's grace period. */
  private void terminate(Pod pod) {
    Running process = running.get(pod.getMetadata().getUid());
    if (process != null) {
      stop(pod.getMetadata().getUid(), process);
    }
    if (pod.getMetadata().getFinalizers() == null || pod.getMetadata().getFinalizers().isEmpty()) {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .withGracePeriod(0).delete();
    }
  }

  /**
   * Runs the container's readiness probe (an exec probe: the operator's {@code redis-cli ... ping})
   * with the pod's environment, every {@link #PROBE_PERIOD} while ready and every pass while not,
   * and reports a change in the pod's status. 127.0.0.1 in the probe is the pod's own loopback,
   * which here is its IP.
   */
  private void probe(Pod pod, Running now) {
    Instant at = Instant.now();
    if (now.ready() && at.isBefore(now.probedAt().plus(PROBE_PERIOD))) {
      return;
    }
    Container container = pod.getSpec().getContainers().get(0);
    boolean ready = true;
    if (container.getReadinessProbe() != null && container.getReadinessProbe().getExec() != null) {
      List<String> command = container.getReadinessProbe().getExec().getCommand().stream()
          .map(c -> c.replace("127.0.0.1", now.ip().getHostAddress())).toList();
      try {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().clear();
        builder.environment().putAll(now.env());
        Process p = builder.start();
        ready = p.waitFor(3, TimeUnit.SECONDS) && p.exitValue() == 0;
        p.destroyForcibly();
      } catch (IOException e) {
        ready = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (ready != now.ready()) {
      report(pod, ready, now.restarts());
      LOG.info("pod {}/{}: ready={}", now.namespace(), now.name(), ready);
    }
    running.put(pod.getMetadata().getUid(), now.probed(ready, at));
  }

  /** Writes the pod's readiness and restart count into its status, as the kubelet's status manager does. */
  private void report(Pod pod, boolean ready, int restarts) {
    String status = ready ? "True" : "False";
    String now = Instant.now().toString();
    client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).editStatus(p -> {
      p.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready") || c.getType().equals("ContainersReady"))
          .filter(c -> !status.equals(c.getStatus())).forEach(c -> {
            c.setStatus(status);
            c.setReason(ready ? null : "ContainersNotReady");
            c.setLastTransitionTime(now);
          });
      p.getStatus().getContainerStatuses().forEach(c -> {
        c.setReady(ready);
        c.setRestartCount(restarts);
      });
      return p;
    });
  }

  private void start(Pod pod, int restarts) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    Container container = pod.getSpec().getContainers().get(0);
    String ip = pod.getStatus().getPodIP();
    Path podDir = root.resolve(ns).resolve(name + "-" + pod.getMetadata().getUid().substring(0, 8));
    Optional<Map<String, Path>> mounts = mounts(pod, container, podDir, ip);
    Optional<Map<String, String>> env = environment(pod, container);
    if (mounts.isEmpty() || env.isEmpty()) {
      return; // a claim not bound yet or a missing Secret: the real kubelet would wait too
    }
    List<String> command = new ArrayList<>();
    container.getCommand().forEach(c -> command.add(hostPaths(c, mounts.get())));
    container.getArgs().forEach(a -> command.add(hostPaths(a, mounts.get())));
    try {
      Files.createDirectories(podDir);
      ProcessBuilder builder = new ProcessBuilder(command).directory(podDir.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(podDir.resolve(container.getName() + ".log").toFile()));
      builder.environment().clear();
      builder.environment().putAll(env.get());
      Process process = builder.start();
      leftovers.record(process);
      String dnsName = pod.getSpec().getHostname() != null && pod.getSpec().getSubdomain() != null
          ? ClusterDns.podName(pod.getSpec().getHostname(), pod.getSpec().getSubdomain(), ns) : null;
      InetAddress address = InetAddress.getByName(ip);
      if (dnsName != null) {
        ClusterDns.register(dnsName, address);
      }
      running.put(pod.getMetadata().getUid(), new Running(ns, name, dnsName, address, env.get(), process, restarts,
          false, Instant.EPOCH));
      LOG.info("pod {}/{}: started on {} (pid {})", ns, name, ip, process.pid());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void stop(String uid, Running pod) {
    if (pod.dnsName() != null) {
      ClusterDns.unregister(pod.dnsName(), pod.ip());
    }
    pod.process().destroy();
    try {
      if (!pod.process().waitFor(10, TimeUnit.SECONDS)) {
        pod.process().destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    running.remove(uid);
    LOG.info("pod {}/{}: stopped", pod.namespace(), pod.name());
  }

  /** Container mount path to host directory; empty while a volume cannot be provided yet. */
  private Optional<Map<String, Path>> mounts(Pod pod, Container container, Path podDir, String ip) {
    String ns = pod.getMetadata().getNamespace();
    Map<String, Path> mounts = new LinkedHashMap<>();
    List<Map.Entry<Path, String>> configFiles = new ArrayList<>();
    try {
      for (VolumeMount mount : container.getVolumeMounts()) {
        Volume volume = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
            .findFirst().orElseThrow(() -> new IllegalStateException("no volume " + mount.getName()));
        Path dir = podDir.resolve("volumes").resolve(volume.getName());
        if (volume.getConfigMap() != null) {
          ConfigMap map = client.configMaps().inNamespace(ns).withName(volume.getConfigMap().getName()).get();
          if (map == null) {
            return Optional.empty();
          }
          Files.createDirectories(dir);
          map.getData().forEach((file, text) -> configFiles.add(Map.entry(dir.resolve(file), text)));
        } else if (volume.getSecret() != null) {
          Secret secret = client.secrets().inNamespace(ns).withName(volume.getSecret().getSecretName()).get();
          if (secret == null) {
            return Optional.empty();
          }
          Files.createDirectories(dir);
          for (Map.Entry<String, String> e : secret.getData().entrySet()) {
            Files.write(dir.resolve(e.getKey()), Base64.getDecoder().decode(e.getValue()));
          }
        } else if (volume.getPersistentVolumeClaim() != null) {
          Optional<Path> bound = boundVolume(ns, volume.getPersistentVolumeClaim().getClaimName());
          if (bound.isEmpty()) {
            return Optional.empty();
          }
          mounts.put(mount.getMountPath(), bound.get());
          continue;
        } else if (volume.getEmptyDir() != null) {
          Files.createDirectories(dir);
        } else {
          throw new IllegalStateException("pod " + ns + "/" + pod.getMetadata().getName()
              + ": the process kubelet cannot mount volume " + volume.getName());
        }
        mounts.put(mount.getMountPath(), dir);
      }
      for (Map.Entry<Path, String> file : configFiles) {
        String text = hostPaths(file.getValue(), mounts);
        if (file.getKey().getFileName().toString().endsWith(".conf")) {
          text = BIND.matcher(text).replaceAll("bind " + Matcher.quoteReplacement(ip));
        }
        Files.writeString(file.getKey(), text, StandardCharsets.UTF_8);
      }
      return Optional.of(mounts);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Optional<Path> boundVolume(String ns, String claimName) {
    PersistentVolumeClaim claim = client.persistentVolumeClaims().inNamespace(ns).withName(claimName).get();
    if (claim == null || claim.getSpec().getVolumeName() == null || claim.getStatus() == null
        || !"Bound".equals(claim.getStatus().getPhase())) {
      return Optional.empty();
    }
    PersistentVolume volume = client.persistentVolumes().withName(claim.getSpec().getVolumeName()).get();
    return Optional.ofNullable(volume).filter(v -> v.getSpec().getHostPath() != null)
        .map(v -> Path.of(v.getSpec().getHostPath().getPath()));
  }

  /** The container's environment; empty while a referenced Secret or key is missing. */
  private Optional<Map<String, String>> environment(Pod pod, Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", redisBin + ":/usr/local/bin:/usr/bin:/bin");
    env.put("HOSTNAME", pod.getSpec().getHostname() != null ? pod.getSpec().getHostname() : pod.getMetadata().getName());
    for (EnvVar var : container.getEnv()) {
      String value;
      if (var.getValueFrom() == null) {
        value = var.getValue() == null ? "" : resolveDns(var.getValue());
      } else if (var.getValueFrom().getSecretKeyRef() != null) {
        Secret secret = client.secrets().inNamespace(pod.getMetadata().getNamespace())
            .withName(var.getValueFrom().getSecretKeyRef().getName()).get();
        String data = secret == null || secret.getData() == null ? null
            : secret.getData().get(var.getValueFrom().getSecretKeyRef().getKey());
        if (data == null) {
          return Optional.empty(); // CreateContainerConfigError in a real cluster
        }
        value = new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
      } else if (var.getValueFrom().getFieldRef() != null) {
        value = switch (var.getValueFrom().getFieldRef().getFieldPath()) {
          case "metadata.name" -> pod.getMetadata().getName();
          case "metadata.namespace" -> pod.getMetadata().getNamespace();
          case "status.podIP" -> pod.getStatus().getPodIP();
          default -> throw new IllegalStateException("unsupported fieldRef " + var.getValueFrom().getFieldRef());
        };
      } else {
        throw new IllegalStateException("unsupported env source for " + var.getName());
      }
      env.put(var.getName(), value);
    }
    return Optional.of(env);
  }

  /**
   * A cluster DNS name in an environment value becomes its IP: programs in the pod (redis-server's
   * {@code --replicaof}) resolve with the C library, which knows nothing of {@link ClusterDns}.
   */
  private static String resolveDns(String value) {
    if (!value.endsWith(".svc." + ClusterDns.CLUSTER_DOMAIN)) {
      return value;
    }
    try {
      return InetAddress.getByName(value).getHostAddress();
    } catch (UnknownHostException notYet) {
      return value;
    }
  }

  /** Replaces container paths of mounts by their host directories (longest mount path first). */
  private static String hostPaths(String text, Map<String, Path> mounts) {
    List<String> paths = new ArrayList<>(mounts.keySet());
    paths.sort(Comparator.comparingInt(String::length).reversed());
    for (String path : paths) {
      text = text.replaceAll("(?<![\\w./-])" + Pattern.quote(path) + "(?![\\w.-])",
          Matcher.quoteReplacement(mounts.get(path).toString()));
    }
    return text;
  }

  /** Kills a pod's process at once (SIGKILL), as a crash or an OOM kill would; the sync loop restarts it. */
  public void crash(String namespace, String pod) {
    running.values().stream().filter(r -> r.namespace().equals(namespace) && r.name().equals(pod))
        .forEach(r -> r.process().destroyForcibly());
  }

  /** Names ({@code namespace/pod}) of the pods whose processes run now. */
  public List<String> runningPods() {
    return running.values().stream().filter(r -> r.process().isAlive()).map(r -> r.namespace() + "/" + r.name())
        .sorted().toList();
  }

  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    running.forEach(this::stop);
    pods.close();
  }
}
