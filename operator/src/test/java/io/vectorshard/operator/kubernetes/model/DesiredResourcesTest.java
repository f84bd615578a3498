package io.vectorshard.operator.kubernetes.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.vectorshard.api.StorageSpec;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.core.redis.ShardAcl;
import io.vectorshard.core.redis.ShardCredentials;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.RoutingTableCodec;
import io.vectorshard.core.routing.ShardEndpoint;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The desired-state builders, without any API server: the fields that matter, asserted one by one. */
class DesiredResourcesTest {
  private static VectorShardCluster cluster() {
    VectorShardCluster vsc = new VectorShardCluster();
    vsc.getMetadata().setName("rag");
    vsc.getMetadata().setNamespace("search");
    vsc.getMetadata().setUid("uid-1");
    vsc.getSpec().setShards(3);
    vsc.getSpec().getVectors().setDimensions(384);
    return vsc;
  }

  private static void assertOwned(HasMetadata resource) {
    assertThat(resource.getMetadata().getNamespace()).isEqualTo("search");
    assertThat(resource.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("VectorShardCluster");
      assertThat(o.getApiVersion()).isEqualTo("vectorshard.io/v1alpha1");
      assertThat(o.getName()).isEqualTo("rag");
      assertThat(o.getUid()).isEqualTo("uid-1");
      assertThat(o.getController()).isTrue();
    });
    assertThat(resource.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "vectorshard-operator")
        .containsEntry("vectorshard.io/cluster", "rag");
  }

  @Test
  void statefulSetRunsOneRedisPrimaryWithProbesSecurityAndAVolume() {
    StatefulSet sts = ShardStatefulSet.desired(cluster(), 2, "cluster.local");
    assertOwned(sts);
    assertThat(sts.getMetadata().getName()).isEqualTo("rag-shard-2");
    assertThat(sts.getSpec().getServiceName()).isEqualTo("rag-shard-2");
    assertThat(sts.getSpec().getReplicas()).isEqualTo(1);
    assertThat(sts.getSpec().getSelector().getMatchLabels()).containsEntry("vectorshard.io/shard", "2")
        .containsEntry("vectorshard.io/cluster", "rag");
    assertThat(sts.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(sts.getSpec().getSelector().getMatchLabels());
    assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations()).containsKey(ShardStatefulSet.CONFIG_HASH_ANNOTATION);

    PodSpec pod = sts.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(999L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    Container redis = pod.getContainers().get(0);
    assertThat(redis.getImage()).isEqualTo("redis:8.0.2");
    assertThat(redis.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(6379));
    assertThat(redis.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(redis.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(redis.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(redis.getResources().getRequests()).containsEntry("cpu", new Quantity("250m"))
        .containsEntry("memory", new Quantity("512Mi"));
    for (var probe : List.of(redis.getReadinessProbe(), redis.getLivenessProbe(), redis.getStartupProbe())) {
      assertThat(String.join(" ", probe.getExec().getCommand())).contains("redis-cli").contains("PONG");
    }
    // The password comes from the Secret, never from a literal in the pod spec.
    assertThat(redis.getEnv()).filteredOn(e -> e.getName().equals("REDIS_PASSWORD")).singleElement()
        .satisfies(e -> {
          assertThat(e.getValue()).isNull();
          assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("rag-redis-auth");
          assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
        });
    // The router's user gets its password from a Secret of its own and its rules from ShardAcl.
    assertThat(redis.getEnv()).filteredOn(e -> e.getName().equals("ROUTER_PASSWORD")).singleElement()
        .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("rag-router-auth"));
    assertThat(redis.getEnv()).filteredOn(e -> e.getName().equals("ROUTER_ACL_RULES")).singleElement()
        .satisfies(e -> assertThat(e.getValue()).isEqualTo(ShardAcl.ROUTER_RULES));
    assertThat(redis.getEnv()).filteredOn(e -> e.getName().equals("PRIMARY_HOST")).singleElement()
        .satisfies(e -> assertThat(e.getValue()).isEqualTo("rag-shard-2-0.rag-shard-2.search.svc.cluster.local"));
    assertThat(redis.getVolumeMounts()).extracting(m -> m.getName() + ":" + m.getMountPath())
        .containsExactlyInAnyOrder("config:/etc/vectorshard", "run:/run/vectorshard", "data:/data");

    assertThat(sts.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(pvc -> {
      assertThat(pvc.getMetadata().getName()).isEqualTo("data");
      assertThat(pvc.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("10Gi"));
    });
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Retain");
    assertThat(pod.getVolumes()).extracting(Volume::getName).containsExactlyInAnyOrder("config", "run");
  }

  @Test
  void statefulSetFollowsStorageReplicasResourcesAndAReferencedSecret() {
    VectorShardCluster vsc = cluster();
    StorageSpec storage = vsc.getSpec().getRedis().getStorage();
    storage.setSize("50Gi");
    storage.setStorageClassName("fast-ssd");
    storage.setRetention(StorageSpec.Retention.Delete);
    vsc.getSpec().getRedis().setReplicas(2);
    vsc.getSpec().getRedis().setImage("registry.example/redis:8.2");
    vsc.getSpec().getRedis().setPasswordSecret("my-redis");
    vsc.getSpec().getRedis().setResources(new ResourceRequirementsBuilder()
        .addToLimits("memory", new Quantity("4Gi")).build());
    StatefulSet sts = ShardStatefulSet.desired(vsc, 0, "corp.internal");
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    Container redis = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(redis.getImage()).isEqualTo("registry.example/redis:8.2");
    assertThat(redis.getResources().getLimits()).containsEntry("memory", new Quantity("4Gi"));
    // The administrator's password comes from the named Secret; the router's is always generated.
    assertThat(redis.getEnv()).filteredOn(e -> e.getValueFrom() != null)
        .extracting(e -> e.getName() + "=" + e.getValueFrom().getSecretKeyRef().getName())
        .containsExactlyInAnyOrder("REDIS_PASSWORD=my-redis", "REDISCLI_AUTH=my-redis", "ROUTER_PASSWORD=rag-router-auth");
    assertThat(sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getStorageClassName()).isEqualTo("fast-ssd");
    assertThat(sts.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage"))
        .isEqualTo(new Quantity("50Gi"));
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Delete");
    assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Delete");
    assertThat(ShardStatefulSet.START_SCRIPT).contains("--replicaof \"$PRIMARY_HOST\" 6379");
  }

  @Test
  void ephemeralStorageUsesAnEmptyDirAndTurnsPersistenceOff() {
    VectorShardCluster vsc = cluster();
    vsc.getSpec().getRedis().getStorage().setEphemeral(true);
    StatefulSet sts = ShardStatefulSet.desired(vsc, 0, "cluster.local");
    assertThat(sts.getSpec().getVolumeClaimTemplates()).isEmpty();
    assertThat(sts.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getName().equals("data"))
        .singleElement().satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
    assertThat(RedisConfig.render(vsc.getSpec().getRedis())).contains("appendonly no").contains("save \"\"")
        .doesNotContain("appendonly yes");
  }

  @Test
  void redisConfigKeepsTheAofPreambleAndAppendsExtraDirectivesAndItsHashRollsPods() {
    VectorShardCluster vsc = cluster();
    ConfigMap map = RedisConfig.desired(vsc);
    assertOwned(map);
    String conf = map.getData().get(RedisConfig.FILE);
    assertThat(conf).contains("appendonly yes").contains("aof-use-rdb-preamble yes").contains("dir /data")
        .contains("include /run/vectorshard/auth.conf").doesNotContain("requirepass");
    String hash = RedisConfig.hash(vsc.getSpec().getRedis());
    vsc.getSpec().getRedis().setConfig(Map.of("maxmemory", "2gb"));
    assertThat(RedisConfig.render(vsc.getSpec().getRedis())).endsWith("maxmemory 2gb\n");
    assertThat(RedisConfig.hash(vsc.getSpec().getRedis())).isNotEqualTo(hash);
  }

  @Test
  void headlessServicePerShardSelectsOnlyThatShard() {
    Service service = ShardService.desired(cluster(), 1);
    assertOwned(service);
    assertThat(service.getMetadata().getName()).isEqualTo("rag-shard-1");
    assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(service.getSpec().getSelector()).containsEntry("vectorshard.io/shard", "1")
        .containsEntry("vectorshard.io/cluster", "rag");
    assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(6379));
  }

  @Test
  void disruptionBudgetLetsOneShardPodGoAtATime() {
    PodDisruptionBudget pdb = ShardDisruptionBudget.desired(cluster());
    assertOwned(pdb);
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(ClusterResources.shardPodSelector(cluster()))
        .doesNotContainKey("vectorshard.io/shard");
  }

  @Test
  void routingConfigMapHoldsTheTableAndTheSeeds() {
    VectorShardCluster vsc = cluster();
    RoutingTable table = RoutingTable.of("rag", 7, vsc.getSpec(),
        IntStream.range(0, 3).mapToObj(i -> ShardEndpoint.of(i, "h" + i, 6379)).toList());
    ConfigMap map = RoutingConfigMap.desired(vsc, table);
    assertOwned(map);
    assertThat(map.getMetadata().getName()).isEqualTo("rag-routing");
    assertThat(RoutingTableCodec.fromJson(map.getData().get(RoutingConfigMap.TABLE))).isEqualTo(table);
    assertThat(map.getData()).containsEntry(RoutingConfigMap.SEEDS, "h0:6379,h1:6379,h2:6379")
        .containsEntry(RoutingConfigMap.EPOCH, "7");
  }

  @Test
  void generatedPasswordsAreLongRandomAndReadBack() {
    String a = ShardCredentials.generatePassword();
    assertThat(a).hasSize(32).matches("[A-Za-z0-9]+").isNotEqualTo(ShardCredentials.generatePassword());
    Secret secret = PasswordSecret.desired(cluster(), ClusterResources.generatedPasswordSecret("rag"), a);
    assertOwned(secret);
    assertThat(secret.getMetadata().getName()).isEqualTo("rag-redis-auth");
    assertThat(secret.getData().get("password")).isNotEqualTo(a); // base64
    assertThat(PasswordSecret.read(secret)).contains(a);
  }
}
