package io.vectorshard.operator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vectorshard.api.PlacementSpec;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.api.VectorShardClusterStatus.Phase;
import io.vectorshard.core.redis.Keys;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.RoutingTableCodec;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.routing.VectorSettings;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.operator.kubernetes.model.ClusterResources;
import io.vectorshard.operator.kubernetes.model.PasswordSecret;
import io.vectorshard.operator.kubernetes.model.RoutingConfigMap;
import io.vectorshard.router.RouterConfig;
import io.vectorshard.router.RouterServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

/**
 * The operator end to end against the Fabric8 mock API server (CRUD mode) and real Redis 8
 * processes: the production reconciler, dependents and engine, with a fake StatefulSet controller
 * standing in for the kubelet and shard addresses pointing at local processes.
 */
@EnableKubernetesMockClient(crud = true)
class VectorShardOperatorTest {
  static KubernetesClient client;

  private static final String NS = "rag-system";
  private RedisShards shards;
  private FakeStatefulSetController kubelet;
  private VectorShardOperator operator;
  private PrometheusRegistry registry;

  @BeforeEach
  void start() {
    DeployManifests.installCrd(client);
    shards = RedisShards.start(4);
    kubelet = new FakeStatefulSetController(client, shards);
    startOperator();
  }

  private void startOperator() {
    registry = new PrometheusRegistry();
    operator = VectorShardOperator.start(client, new VectorShardOperator.Settings(Set.of(), Optional.empty(),
        "cluster.local", Duration.ofSeconds(2), 0), (vsc, i) -> shards.endpoints().get(i), registry);
  }

  @AfterEach
  void stop() {
    operator.close();
    kubelet.close();
    shards.close();
    client.resources(VectorShardCluster.class).inAnyNamespace().delete();
    Stream.of(client.apps().statefulSets(), client.services(), client.configMaps(), client.secrets())
        .forEach(r -> r.inAnyNamespace().delete());
    client.policy().v1().podDisruptionBudget().inAnyNamespace().delete();
    client.v1().events().inAnyNamespace().delete();
  }

  private static VectorShardCluster cluster(String name, int shardCount) {
    VectorShardCluster vsc = new VectorShardCluster();
    vsc.getMetadata().setName(name);
    vsc.getMetadata().setNamespace(NS);
    vsc.getSpec().setShards(shardCount);
    vsc.getSpec().getVectors().setDimensions(3);
    return vsc;
  }

  private static VectorShardCluster live(String name) {
    return client.resources(VectorShardCluster.class).inNamespace(NS).withName(name).get();
  }

  /** A user's edit; retried on 409, since the operator may have written the status in between. */
  private static VectorShardCluster edit(String name, UnaryOperator<VectorShardCluster> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        return client.resources(VectorShardCluster.class).inNamespace(NS).withName(name).edit(change);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }

  private static VectorShardCluster await(String name, String what, Predicate<VectorShardCluster> done) {
    Instant deadline = Instant.now().plusSeconds(30);
    VectorShardCluster vsc = live(name);
    while (vsc == null || vsc.getStatus() == null || !done.test(vsc)) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for " + what + "; last status: "
            + (vsc == null ? "none" : Serialization.asYaml(vsc.getStatus())));
      }
      sleep(100);
      vsc = live(name);
    }
    return vsc;
  }

  private static Predicate<VectorShardCluster> readyAt(long generation) {
    return v -> v.getStatus().getPhase() == Phase.Ready && v.getStatus().getObservedGeneration() == generation;
  }

  private static Condition condition(VectorShardCluster vsc, String type) {
    return Conditions.find(vsc.getStatus().getConditions(), type).orElseThrow();
  }

  private static List<StatefulSet> statefulSets() {
    return client.apps().statefulSets().inNamespace(NS).list().getItems();
  }

  private static Map<String, String> versions() {
    return Stream.of(client.apps().statefulSets().inNamespace(NS).list().getItems(),
            client.services().inNamespace(NS).list().getItems(), client.configMaps().inNamespace(NS).list().getItems(),
            client.secrets().inNamespace(NS).list().getItems(),
            client.policy().v1().podDisruptionBudget().inNamespace(NS).list().getItems())
        .flatMap(List::stream).collect(Collectors.toMap(r -> r.getKind() + "/" + r.getMetadata().getName(),
            r -> r.getMetadata().getResourceVersion()));
  }

  private static List<String> eventReasons() {
    return client.v1().events().inNamespace(NS).list().getItems().stream().map(e -> e.getReason()).toList();
  }

  private String password(String cluster) {
    return PasswordSecret.read(client.secrets().inNamespace(NS).withName(ClusterResources.generatedPasswordSecret(cluster)).get())
        .orElseThrow();
  }

  private ShardClient shard(String cluster, int ordinal) {
    return new ShardClient(shards.endpoints().get(ordinal), password(cluster), Duration.ofSeconds(2), 1);
  }

  @Test
  void provisionsShardsPublishesTheTableAndARouterServes() throws Exception {
    client.resource(cluster("rag", 3)).create();
    VectorShardCluster vsc = await("rag", "Ready", readyAt(1));

    assertThat(statefulSets()).extracting(s -> s.getMetadata().getName())
        .containsExactlyInAnyOrder("rag-shard-0", "rag-shard-1", "rag-shard-2");
    assertThat(client.services().inNamespace(NS).list().getItems()).hasSize(3)
        .allSatisfy(s -> assertThat(s.getSpec().getClusterIP()).isEqualTo("None"));
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName("rag-shards").get()).isNotNull();
    assertThat(client.configMaps().inNamespace(NS).withName("rag-redis-config").get().getData().get("redis.conf"))
        .contains("aof-use-rdb-preamble yes");
    assertThat(vsc.getStatus().getEpoch()).isEqualTo(1);
    assertThat(vsc.getStatus().getReadyShards()).isEqualTo(3);
    assertThat(vsc.getStatus().getShards()).extracting(s -> s.getId() + "=" + s.isReady() + "/" + s.getVectors())
        .containsExactly("shard-0=true/0", "shard-1=true/0", "shard-2=true/0");
    assertThat(condition(vsc, Conditions.READY).getStatus()).isEqualTo("True");
    assertThat(condition(vsc, Conditions.DEGRADED).getStatus()).isEqualTo("False");

    ConfigMap routing = client.configMaps().inNamespace(NS).withName("rag-routing").get();
    RoutingTable table = RoutingTableCodec.fromJson(routing.getData().get(RoutingConfigMap.TABLE));
    assertThat(table.epoch()).isEqualTo(1);
    assertThat(table.shards()).containsExactlyElementsOf(shards.endpoints().subList(0, 3));
    for (int i = 0; i < 3; i++) {
      try (ShardClient shard = shard("rag", i)) {
        assertThat(shard.epoch()).isEqualTo(1);
        assertThat(RoutingTableCodec.fromJson(shard.routingJson())).isEqualTo(table);
      }
    }
    assertThat(eventReasons()).contains("TablePublished");

    // The sidecar, seeded with the shard addresses and the generated password, serves writes and queries.
    List<HostAndPort> seeds = shards.endpoints().subList(0, 3).stream().map(e -> new HostAndPort(e.host(), e.port())).toList();
    RouterConfig defaults = RouterConfig.defaults(seeds).withPort(0);
    RouterConfig config = new RouterConfig(defaults.host(), 0, seeds, password("rag"), defaults.shardTimeout(),
        defaults.maxTopK(), defaults.maxBatch(), defaults.maxConnectionsPerShard(), defaults.maxRequestBytes(),
        defaults.tableCheckInterval());
    try (RouterServer router = RouterServer.start(config); HttpClient http = HttpClient.newHttpClient()) {
      String base = "http://127.0.0.1:" + router.port();
      HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/tenants/acme/vectors/doc-1"))
          .PUT(HttpRequest.BodyPublishers.ofString("{\"vector\":[1,0,0]}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
      HttpResponse<String> query = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/tenants/acme/query"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"vector\":[1,0,0],\"topK\":1}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(query.statusCode()).isEqualTo(200);
      assertThat(query.body()).contains("doc-1");
    }

    // Counts reach the status and /metrics on a later reconcile.
    edit("rag", v -> { v.getMetadata().setAnnotations(Map.of("touch", "1")); return v; });
    VectorShardCluster counted = await("rag", "vector count", v -> v.getStatus().getShards().stream()
        .mapToLong(s -> s.getVectors() == null ? 0 : s.getVectors()).sum() == 1);
    assertThat(counted.getStatus().getShards()).allSatisfy(s -> assertThat(s.getMemoryBytes()).isPositive());
    String metrics = scrape();
    assertThat(metrics).contains("vsc_operator_reconciles_total{cluster=\"rag\",namespace=\"rag-system\",outcome=\"ready\"}")
        .contains("vsc_operator_shard_vectors{cluster=\"rag\",namespace=\"rag-system\",shard=\"shard-0\"}")
        .contains("vsc_operator_routing_epoch{cluster=\"rag\",namespace=\"rag-system\"} 1.0");
  }

  @Test
  void badSpecsAreRejectedWithAConditionAndAnEventAndTouchNothing() {
    client.resource(cluster("bad", 2)).create();
    await("bad", "Ready", readyAt(1));
    Map<String, String> before = versions();
    record Bad(String problem, UnaryOperator<VectorShardCluster> change) {}
    List<Bad> bads = List.of(
        new Bad("pinned to shard 5, which does not exist", v -> {
          v.getSpec().getPlacement().setPinned(List.of(new PlacementSpec.PinnedTenant("acme", List.of(5))));
          return v;
        }),
        new Bad("tenant \"bad tenant!\" must match", v -> {
          v.getSpec().getPlacement().setSpread(List.of(new PlacementSpec.SpreadTenant("bad tenant!", 2)));
          return v;
        }),
        new Bad("spec.shards must be 1..1024, got 0", v -> { v.getSpec().setShards(0); return v; }),
        new Bad("appendonly is set by vectorshard", v -> {
          v.getSpec().getRedis().setConfig(Map.of("appendonly", "no"));
          return v;
        }));
    long generation = 1;
    for (Bad bad : bads) {
      edit("bad", v -> { VectorShardCluster fresh = cluster("bad", 2); v.setSpec(bad.change().apply(fresh).getSpec()); return v; });
      long g = ++generation;
      VectorShardCluster vsc = await("bad", bad.problem(), v -> v.getStatus().getObservedGeneration() == g);
      assertThat(vsc.getStatus().getPhase()).isEqualTo(Phase.Invalid);
      assertThat(condition(vsc, Conditions.DEGRADED)).satisfies(c -> {
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo("InvalidSpec");
        assertThat(c.getMessage()).contains(bad.problem());
      });
      assertThat(vsc.getStatus().getEpoch()).isEqualTo(1);
      assertThat(versions()).isEqualTo(before);
    }
    assertThat(eventReasons()).contains("InvalidSpec");

    // Fixed again: back to Ready on the same table.
    edit("bad", v -> { v.setSpec(cluster("bad", 2).getSpec()); return v; });
    long fixed = ++generation;
    assertThat(await("bad", "Ready again", readyAt(fixed)).getStatus().getEpoch()).isEqualTo(1);
  }

  @Test
  void dimensionsCannotChangeOnAPopulatedCluster() {
    client.resource(cluster("dims", 2)).create();
    await("dims", "Ready", readyAt(1));
    RoutingTable table = RoutingTableCodec.fromJson(client.configMaps().inNamespace(NS).withName("dims-routing").get()
        .getData().get(RoutingConfigMap.TABLE));
    RoutingTable.BucketLocation home = table.locate("acme", "doc-1");
    try (ShardClient shard = shard("dims", home.shard().ordinal())) {
      shard.upsert(1, "acme", table.vectors(), List.of(new ShardClient.Write(home.key(), "doc-1", new float[] {1, 0, 0}, null)));
    }
    Map<String, String> before = versions();

    edit("dims", v -> { v.getSpec().getVectors().setDimensions(8); return v; });
    VectorShardCluster vsc = await("dims", "rejection", v -> v.getStatus().getObservedGeneration() == 2);
    assertThat(condition(vsc, Conditions.DEGRADED)).satisfies(c -> {
      assertThat(c.getReason()).isEqualTo("VectorSettingsChanged");
      assertThat(c.getMessage()).contains("holds 1 vectors");
    });
    assertThat(vsc.getStatus().getPhase()).isEqualTo(Phase.Invalid);
    assertThat(vsc.getStatus().getEpoch()).isEqualTo(1);
    assertThat(versions()).isEqualTo(before);
    assertThat(eventReasons()).contains("VectorSettingsChanged");
    try (ShardClient shard = shard("dims", 0)) {
      assertThat(RoutingTableCodec.fromJson(shard.routingJson()).vectors().dimensions()).isEqualTo(3);
    }
  }

  @Test
  void scalesStatefulSetsUpAndDownAndKeepsAShardThatHoldsData() {
    client.resource(cluster("scale", 2)).create();
    await("scale", "Ready", readyAt(1));

    edit("scale", v -> { v.getSpec().setShards(4); return v; }); // what `kubectl scale --replicas=4` writes
    VectorShardCluster up = await("scale", "4 shards", readyAt(2));
    assertThat(statefulSets()).hasSize(4);
    assertThat(up.getStatus().getEpoch()).isEqualTo(2);
    assertThat(up.getStatus().getReadyShards()).isEqualTo(4);

    // Data on shard-3 keeps it: removing it would strand the data, and moving data is the rebalancer's job.
    try (ShardClient shard = shard("scale", 3)) {
      shard.upsert(2, "zeta", VectorSettings.of(up.getSpec().getVectors()),
          List.of(new ShardClient.Write(Keys.bucket("zeta", 0), "z-1", new float[] {0, 1, 0}, null)));
    }
    edit("scale", v -> { v.getSpec().setShards(3); return v; });
    VectorShardCluster blocked = await("scale", "blocked scale-down", v -> v.getStatus().getObservedGeneration() == 3);
    assertThat(condition(blocked, Conditions.PROGRESSING)).satisfies(c -> {
      assertThat(c.getReason()).isEqualTo("RebalanceRequired");
      assertThat(c.getMessage()).contains("tenant zeta bucket 0 (1 vectors) shard-3");
    });
    assertThat(statefulSets()).extracting(s -> s.getMetadata().getName()).contains("scale-shard-3");
    assertThat(blocked.getStatus().getEpoch()).isEqualTo(2);

    // Once shard-3 is empty, the table without it is published (fencing shard-3 too), then it goes.
    try (ShardClient shard = shard("scale", 3)) {
      shard.dropTenant(2, "zeta", List.of(Keys.bucket("zeta", 0)));
    }
    VectorShardCluster down = await("scale", "3 shards", v -> v.getStatus().getPhase() == Phase.Ready
        && v.getStatus().getEpoch() == 3);
    await("scale", "StatefulSet removed", v -> statefulSets().size() == 3);
    assertThat(down.getStatus().getShards()).hasSize(3);
    assertThat(client.services().inNamespace(NS).withName("scale-shard-3").get()).isNull();
    try (ShardClient retired = shard("scale", 3)) {
      assertThat(retired.epoch()).as("the removed shard is fenced with the new epoch").isEqualTo(3);
    }
  }

  @Test
  void anOperatorRestartChangesNothingWhenNothingChanged() {
    client.resource(cluster("steady", 2)).create();
    await("steady", "Ready", readyAt(1));
    sleep(1000); // let the informers settle after the last status write
    VectorShardCluster ready = live("steady");
    Map<String, String> before = versions();
    String statusVersion = live("steady").getMetadata().getResourceVersion();
    int events = eventReasons().size();

    operator.close();
    startOperator();
    edit("steady", v -> v); // no-op; the restarted operator reconciles everything on start anyway
    await("steady", "a reconcile by the new operator", v -> scrape().contains("outcome=\"ready\""));

    assertThat(versions()).isEqualTo(before);
    assertThat(live("steady").getMetadata().getResourceVersion()).isEqualTo(statusVersion);
    assertThat(live("steady").getStatus().getConditions()).isEqualTo(ready.getStatus().getConditions());
    assertThat(eventReasons()).hasSize(events);
    try (ShardClient shard = shard("steady", 0)) {
      assertThat(shard.epoch()).isEqualTo(1);
    }
  }

  @Test
  void reconcilesKeepTheirShardConnections() {
    client.resource(cluster("kept", 2)).create();
    await("kept", "Ready", readyAt(1));
    List<String> before = operatorConnections("kept", 0);
    assertThat(before).hasSize(1);

    for (int i = 0; i < 3; i++) {
      double reconciles = LeaderElectionTest.reconciles(registry);
      // A change to a dependent triggers a reconcile (a change to the cluster's metadata would not).
      String touch = "touch-" + i;
      client.configMaps().inNamespace(NS).withName(ClusterResources.redisConfig("kept"))
          .edit(c -> { c.getMetadata().getAnnotations().put("test/touch", touch); return c; });
      await("kept", "another reconcile", v -> LeaderElectionTest.reconciles(registry) > reconciles);
    }

    assertThat(operatorConnections("kept", 0)).isEqualTo(before);
  }

  /** Ids of the connections the operator holds to a cluster's shard (vectorshard names its connections). */
  private List<String> operatorConnections(String cluster, int ordinal) {
    String password = PasswordSecret.read(client.secrets().inNamespace(NS)
        .withName(ClusterResources.generatedPasswordSecret(cluster)).get()).orElseThrow();
    return RedisShards.vectorshardConnections(shards.server(ordinal).port(), password);
  }

  @Test
  void everythingCreatedIsOwnedByTheClusterSoDeletionCleansUp() {
    client.resource(cluster("gone", 1)).create();
    client.resource(cluster("other", 0)).create(); // invalid, so it needs no Redis of its own
    VectorShardCluster vsc = await("gone", "Ready", readyAt(1));
    await("other", "Invalid", v -> v.getStatus().getPhase() == Phase.Invalid);
    List<HasMetadata> owned = ownedBy(vsc.getMetadata().getUid());
    assertThat(owned).extracting(r -> r.getKind() + "/" + r.getMetadata().getName()).containsExactlyInAnyOrder(
        "StatefulSet/gone-shard-0", "Service/gone-shard-0", "ConfigMap/gone-redis-config", "ConfigMap/gone-routing",
        "Secret/gone-redis-auth", "PodDisruptionBudget/gone-shards");
    assertThat(owned).allSatisfy(r -> assertThat(r.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getUid()).isEqualTo(vsc.getMetadata().getUid());
      assertThat(o.getController()).isTrue();
    }));
    // The StatefulSet declares what happens to the volumes when it is collected.
    assertThat(statefulSets().stream().filter(s -> s.getMetadata().getName().equals("gone-shard-0")).findFirst()
        .orElseThrow().getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Retain");
    assertThat(scrape()).contains("cluster=\"gone\"");

    String password = PasswordSecret.read(client.secrets().inNamespace(NS)
        .withName(ClusterResources.generatedPasswordSecret("gone")).get()).orElseThrow();
    int port = shards.server(0).port();
    assertThat(RedisShards.vectorshardConnections(port, password)).hasSize(1);

    client.resource(vsc).delete();
    // The mock server has no garbage collector: do its work, as Kubernetes would on the owner's deletion.
    owned.forEach(r -> client.resource(r).delete());

    await("other", "the deleted cluster's metrics and connections to go", v -> !scrape().contains("cluster=\"gone\"")
        && RedisShards.vectorshardConnections(port, password).isEmpty());
    assertThat(live("gone")).isNull();
    assertThat(scrape()).contains("cluster=\"other\"");
    sleep(1000); // anything the operator would wrongly recreate would appear by now
    assertThat(ownedBy(vsc.getMetadata().getUid())).as("the operator must not recreate a deleted cluster's objects")
        .isEmpty();
  }

  private List<HasMetadata> ownedBy(String uid) {
    return Stream.<List<? extends HasMetadata>>of(statefulSets(), client.services().inNamespace(NS).list().getItems(),
            client.configMaps().inNamespace(NS).list().getItems(), client.secrets().inNamespace(NS).list().getItems(),
            client.policy().v1().podDisruptionBudget().inNamespace(NS).list().getItems())
        .flatMap(List::stream).map(r -> (HasMetadata) r)
        .filter(r -> r.getMetadata().getOwnerReferences().stream().anyMatch(o -> uid.equals(o.getUid()))).toList();
  }

  private String scrape() {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      new PrometheusTextFormatWriter(false).write(out, registry.scrape());
      return out.toString();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
