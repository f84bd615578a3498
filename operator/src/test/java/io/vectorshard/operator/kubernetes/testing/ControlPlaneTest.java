package io.vectorshard.operator.kubernetes.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** The test bed itself: what the operator's tests rely on is really there. */
class ControlPlaneTest {
  private final ControlPlane plane = ControlPlane.shared();
  private final KubernetesClient admin = plane.admin();

  @Test
  void aRedisPodRunsAsAProcessOnItsPodIpWithItsConfigAndDnsName() throws Exception {
    String ns = "fixture-" + Long.toString(System.nanoTime(), 36);
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    admin.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName("conf").endMetadata()
        .withData(Map.of("redis.conf", "port 6379\nbind * -::*\ndir /data\nrequirepass sesame\n")).build()).create();
    Pod pod = admin.pods().inNamespace(ns).resource(new PodBuilder()
        .withNewMetadata().withName("probe-0").endMetadata()
        .withNewSpec().withHostname("probe-0").withSubdomain("probe")
          .addNewContainer().withName("redis").withImage("redis:8.0.2")
            .withCommand("sh", "-c", "exec redis-server /etc/probe/redis.conf")
            .addNewVolumeMount().withName("conf").withMountPath("/etc/probe").endVolumeMount()
            .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
          .endContainer()
          .addNewVolume().withName("conf").withNewConfigMap().withName("conf").endConfigMap().endVolume()
          .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
        .endSpec().build()).create();

    await("the pod scheduled on a kwok node and Running: " + ns, () -> {
      Pod p = admin.pods().inNamespace(ns).withName("probe-0").get();
      return p.getStatus() != null && "Running".equals(p.getStatus().getPhase()) && p.getStatus().getPodIP() != null;
    });
    Pod running = admin.pods().inNamespace(ns).withName("probe-0").get();
    String ip = running.getStatus().getPodIP();
    assertThat(ip).startsWith("127.1.0.");
    assertThat(running.getSpec().getNodeName()).startsWith("vsc-node-");

    String dns = ClusterDns.podName("probe-0", "probe", ns);
    await("its DNS name", () -> resolves(dns));
    assertThat(InetAddress.getByName(dns).getHostAddress()).isEqualTo(ip);
    await("redis-server on the pod IP", () -> pings(dns));
    try (Jedis redis = new Jedis(new HostAndPort(dns, 6379))) {
      redis.auth("sesame");
      assertThat(redis.configGet("bind").get("bind")).isEqualTo(ip);
      assertThat(redis.configGet("dir").get("dir")).doesNotStartWith("/data").endsWith("/volumes/data");
    }

    admin.namespaces().withName(ns).delete();
    await("the namespace controller to remove the namespace", () -> admin.namespaces().withName(ns).get() == null);
    assertThat(plane.kubelet().runningPods()).doesNotContain(ns + "/probe-0");
    assertThatThrownBy(() -> InetAddress.getByName(dns)).hasMessageContaining("no such pod");
    assertThat(pod.getMetadata().getUid()).isNotNull();
  }

  @Test
  void theApiServerEnforcesRbacForServiceAccounts() {
    String ns = "fixture-rbac-" + Long.toString(System.nanoTime(), 36);
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    admin.serviceAccounts().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
        .withNewMetadata().withName("nobody").endMetadata().build()).create();
    try (KubernetesClient nobody = plane.as(ns, "nobody")) {
      assertThatThrownBy(() -> nobody.configMaps().inNamespace(ns).list())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    } finally {
      admin.namespaces().withName(ns).delete();
    }
  }

  private static boolean resolves(String name) {
    try {
      InetAddress.getByName(name);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean pings(String host) {
    try (Jedis redis = new Jedis(new HostAndPort(host, 6379))) {
      redis.auth("sesame");
      return "PONG".equals(redis.ping());
    } catch (Exception e) {
      return false;
    }
  }

  static void await(String what, BooleanSupplier done) {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (!done.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for " + what);
      }
      ControlPlane.sleep(100);
    }
  }
}
