package io.vectorshard.operator.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vectorshard.api.PlacementSpec;
import io.vectorshard.api.RebalanceStatus;
import io.vectorshard.api.RebalanceState;
import io.vectorshard.api.RebalanceSpec;
import io.vectorshard.api.RebalanceMove;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.api.VectorShardClusterStatus.Phase;
import io.vectorshard.core.redis.FunctionLibrary;
import io.vectorshard.core.redis.Keys;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardConnections;
import io.vectorshard.core.redis.ShardCredentials;
import io.vectorshard.core.redis.WriteMode;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.RoutingTableCodec;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.routing.VectorSettings;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.operator.kubernetes.model.ClusterResources;
import io.vectorshard.operator.kubernetes.model.PasswordSecret;
import io.vectorshard.operator.kubernetes.model.RoutingConfigMap;
import io.vectorshard.operator.kubernetes.testing.ClusterDns;
import io.vectorshard.operator.kubernetes.testing.ControlPlane;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * The operator end to end on a real control plane ({@link ControlPlane}): the CRD from {@code crds/}
 * installed as is, the operator authenticated as its ServiceAccount with exactly the RBAC of
 * {@code deploy/operator.yaml}, the real StatefulSet controller and garbage collector, and shard pods
 * backed by real Redis 8 processes that the operator reaches through their cluster DNS names (the
 * production {@link ShardAddresses#clusterDns}). Each test works in a namespace of its own.
 */
class VectorShardOperatorTest {
  static final ControlPlane PLANE = ControlPlane.shared();
  /** The test acts as a user with cluster-admin rights; the operator does not. */
  static final KubernetesClient client = PLANE.admin();
  static final String OPERATOR_NS = "vectorshard-system";

  private String ns; // each test's own
  private KubernetesClient operatorClient;
  private VectorShardOperator operator;
  private PrometheusRegistry registry;

  @BeforeAll
  static void install() {
    DeployManifests.installCrd(client);
    DeployManifests.load().installRbac(client, o -> o);
  }

  @BeforeEach
  void start() {
    ns = "op-" + Long.toString(System.nanoTime(), 36);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    operatorClient = PLANE.as(OPERATOR_NS, DeployManifests.OPERATOR);
    startOperator();
  }

  private void startOperator() {
    registry = new PrometheusRegistry();
    operator = VectorShardOperator.start(operatorClient, new VectorShardOperator.Settings(Set.of(ns), Optional.empty(),
        ClusterDns.CLUSTER_DOMAIN, Duration.ofSeconds(2), 0), ShardAddresses.clusterDns(ClusterDns.CLUSTER_DOMAIN), registry);
  }

  @AfterEach
  void stop() {
    operator.close();
    operatorClient.close();
    client.namespaces().withName(ns).delete(); // the real namespace controller and kubelet clean up
  }

  private VectorShardCluster cluster(String name, int shardCount) {
    VectorShardCluster vsc = new VectorShardCluster();
    vsc.getMetadata().setName(name);
    vsc.getMetadata().setNamespace(ns);
    vsc.getSpec().setShards(shardCount);
    vsc.getSpec().getVectors().setDimensions(3);
    return vsc;
  }

  private VectorShardCluster live(String name) {
    return client.resources(VectorShardCluster.class).inNamespace(ns).withName(name).get();
  }

  /** A user's edit; retried on 409, since the operator may have written the status in between. */
  private VectorShardCluster edit(String name, UnaryOperator<VectorShardCluster> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        return client.resources(VectorShardCluster.class).inNamespace(ns).withName(name).edit(change);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }

  private VectorShardCluster await(String name, String what, Predicate<VectorShardCluster> done) {
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

  private List<StatefulSet> statefulSets() {
    return client.apps().statefulSets().inNamespace(ns).list().getItems();
  }

  private Map<String, String> versions() {
    return Stream.of(client.apps().statefulSets().inNamespace(ns).list().getItems(),
            client.services().inNamespace(ns).list().getItems(), client.configMaps().inNamespace(ns).list().getItems(),
            client.secrets().inNamespace(ns).list().getItems(),
            client.policy().v1().podDisruptionBudget().inNamespace(ns).list().getItems())
        .flatMap(List::stream).collect(Collectors.toMap(r -> r.getKind() + "/" + r.getMetadata().getName(),
            r -> r.getMetadata().getResourceVersion()));
  }

  private List<String> eventReasons() {
    return client.v1().events().inNamespace(ns).list().getItems().stream().map(e -> e.getReason()).toList();
  }

  private String password(String cluster) {
    return secretPassword(ClusterResources.generatedPasswordSecret(cluster));
  }

  private String secretPassword(String secret) {
    return PasswordSecret.read(client.secrets().inNamespace(ns).withName(secret).get()).orElseThrow();
  }

  private ShardClient shard(String cluster, int ordinal) {
    return new ShardClient(endpoint(cluster, ordinal), ShardCredentials.admin(password(cluster)), Duration.ofSeconds(2), 1);
  }

  /** Where the operator and routers reach a shard: its primary pod's cluster DNS name. */
  private ShardEndpoint endpoint(String cluster, int ordinal) {
    return ShardAddresses.clusterDns(ClusterDns.CLUSTER_DOMAIN).endpoint(live(cluster), ordinal);
  }

  @Test
  void provisionsShardsPublishesTheTableAndARouterServes() throws Exception {
    client.resource(cluster("rag", 3)).create();
    VectorShardCluster vsc = await("rag", "Ready", readyAt(1));

    assertThat(statefulSets()).extracting(s -> s.getMetadata().getName())
        .containsExactlyInAnyOrder("rag-shard-0", "rag-shard-1", "rag-shard-2");
    assertThat(client.services().inNamespace(ns).list().getItems()).hasSize(3)
        .allSatisfy(s -> assertThat(s.getSpec().getClusterIP()).isEqualTo("None"));
    assertThat(client.policy().v1().podDisruptionBudget().inNamespace(ns).withName("rag-shards").get()).isNotNull();
    assertThat(client.configMaps().inNamespace(ns).withName("rag-redis-config").get().getData().get("redis.conf"))
        .contains("aof-use-rdb-preamble yes");
    assertThat(vsc.getStatus().getEpoch()).isEqualTo(1);
    assertThat(vsc.getStatus().getReadyShards()).isEqualTo(3);
    assertThat(vsc.getStatus().getShards()).extracting(s -> s.getId() + "=" + s.isReady() + "/" + s.getVectors())
        .containsExactly("shard-0=true/0", "shard-1=true/0", "shard-2=true/0");
    assertThat(condition(vsc, Conditions.READY).getStatus()).isEqualTo("True");
    assertThat(condition(vsc, Conditions.DEGRADED).getStatus()).isEqualTo("False");

    ConfigMap routing = client.configMaps().inNamespace(ns).withName("rag-routing").get();
    RoutingTable table = RoutingTableCodec.fromJson(routing.getData().get(RoutingConfigMap.TABLE));
    assertThat(table.epoch()).isEqualTo(1);
    assertThat(table.shards()).extracting(ShardEndpoint::host).containsExactly(
        "rag-shard-0-0.rag-shard-0." + ns + ".svc.cluster.local", "rag-shard-1-0.rag-shard-1." + ns + ".svc.cluster.local",
        "rag-shard-2-0.rag-shard-2." + ns + ".svc.cluster.local");
    // The real StatefulSet controller made the pods; each runs redis-server on its pod IP.
    assertThat(PLANE.kubelet().runningPods()).contains(ns + "/rag-shard-0-0", ns + "/rag-shard-1-0", ns + "/rag-shard-2-0");
    assertThat(client.pods().inNamespace(ns).list().getItems()).hasSize(3)
        .allSatisfy(p -> assertThat(p.getStatus().getPodIP()).startsWith("127.1.0."));
    for (int i = 0; i < 3; i++) {
      try (ShardClient shard = shard("rag", i)) {
        assertThat(shard.epoch()).isEqualTo(1);
        assertThat(RoutingTableCodec.fromJson(shard.routingJson())).isEqualTo(table);
      }
    }
    assertThat(eventReasons()).contains("TablePublished");

    // The sidecar, seeded with the shard addresses and the router user's generated password, serves
    // writes and queries; that credential cannot publish a table.
    ShardCredentials routerUser = ShardCredentials.router(secretPassword(ClusterResources.routerSecret("rag")));
    assertThat(routerUser.password()).isNotEqualTo(password("rag"));
    ShardEndpoint shard0 = endpoint("rag", 0);
    try (Jedis asRouter = new Jedis(new HostAndPort(shard0.host(), shard0.port()),
        ShardConnections.clientConfig(routerUser, 2000, 2000, "operator-test"))) {
      assertThat(asRouter.get(Keys.EPOCH)).isEqualTo("1");
      assertThatThrownBy(() -> asRouter.fcall(FunctionLibrary.PUBLISH, List.of(Keys.EPOCH, Keys.ROUTING),
          List.of("99", "{\"epoch\":99}", Keys.ROUTING_CHANNEL))).hasMessageContaining("NOPERM");
      assertThatThrownBy(() -> asRouter.set(Keys.EPOCH, "99")).hasMessageContaining("NOPERM");
    }
    List<HostAndPort> seeds = table.shards().stream().map(e -> new HostAndPort(e.host(), e.port())).toList();
    RouterConfig config = RouterConfig.defaults(seeds).withPort(0).withCredentials(routerUser);
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
    // A change to a dependent triggers a reconcile (a change to the cluster's metadata would not).
    client.configMaps().inNamespace(ns).withName(ClusterResources.redisConfig("rag"))
        .edit(c -> { c.getMetadata().setAnnotations(Map.of("test/touch", "1")); return c; });
    VectorShardCluster counted = await("rag", "vector count", v -> v.getStatus().getShards().stream()
        .mapToLong(s -> s.getVectors() == null ? 0 : s.getVectors()).sum() == 1);
    assertThat(counted.getStatus().getShards()).allSatisfy(s -> assertThat(s.getMemoryBytes()).isPositive());
    String metrics = scrape();
    assertThat(metrics).contains("vsc_operator_reconciles_total{cluster=\"rag\",namespace=\"" + ns + "\",outcome=\"ready\"}")
        .contains("vsc_operator_shard_vectors{cluster=\"rag\",namespace=\"" + ns + "\",shard=\"shard-0\"}")
        .contains("vsc_operator_routing_epoch{cluster=\"rag\",namespace=\"" + ns + "\"} 1.0");
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
        new Bad("tenant acme is listed twice", v -> {
          v.getSpec().getPlacement().setSpread(List.of(new PlacementSpec.SpreadTenant("acme", 2),
              new PlacementSpec.SpreadTenant("acme", 3)));
          return v;
        }),
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
    RoutingTable table = RoutingTableCodec.fromJson(client.configMaps().inNamespace(ns).withName("dims-routing").get()
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
  void scalingMovesTheDataAndADrainedShardGoesOnlyOnceItIsEmpty() {
    client.resource(cluster("scale", 2)).create();
    await("scale", "Ready", readyAt(1));
    Set<String> written = write("scale", "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell");

    // Through the CRD's scale subresource, as an SRE would; AUTO approval moves data at once.
    assertThat(PLANE.kubectl("scale", "-n", ns, "vsc/scale", "--replicas=4")).contains("scaled");
    VectorShardCluster up = await("scale", "4 shards with the data moved", v -> readyAt(2).test(v) && v.getStatus().getRebalance() == null);
    assertThat(client.pods().inNamespace(ns).list().getItems()).hasSize(4);
    assertThat(up.getStatus().getReadyShards()).isEqualTo(4);
    assertThat(up.getStatus().getEpoch()).as("fence, steps and the final table").isGreaterThan(2);
    assertEveryVectorAtItsHome("scale", written);
    assertThat(eventReasons()).contains("RebalanceStarted", "RebalanceFinished");
    assertThat(scrape()).containsPattern("vsc_rebalance_moves_total\\{cluster=\"scale\",method=\"atomic\",namespace=\"[^\"]+\"} [1-9]")
        .containsPattern("vsc_rebalance_vectors_moved_total\\{cluster=\"scale\",namespace=\"[^\"]+\"} [1-9]")
        .contains("vsc_rebalance_running{cluster=\"scale\"");

    // Scale-down drains shard-3 before its StatefulSet goes.
    assertThat(up.getStatus().getShards().get(3).getVectors()).as("shard-3 holds data to drain").isPositive();
    PLANE.kubectl("scale", "-n", ns, "vsc/scale", "--replicas=3");
    VectorShardCluster down = await("scale", "3 shards", v -> readyAt(3).test(v) && v.getStatus().getRebalance() == null);
    await("scale", "StatefulSet removed", v -> statefulSets().size() == 3);
    assertEveryVectorAtItsHome("scale", written);
    assertThat(down.getStatus().getShards()).hasSize(3);
    assertThat(client.services().inNamespace(ns).withName("scale-shard-3").get()).isNull();
    // The StatefulSet controller and the garbage collector removed its pod, so its process stopped.
    await("scale", "shard-3's pod gone", v -> !PLANE.kubelet().runningPods().contains(ns + "/scale-shard-3-0"));
    assertThat(PLANE.kubectl("get", "-n", ns, "vsc/scale"))
        .containsPattern("scale\\s+\\S+\\s+3\\s+" + down.getStatus().getEpoch() + "\\s+Ready\\s+3");
  }

  @Test
  void aManualRebalanceRunsOnlyTheApprovedPlanAndADriftedClusterGetsAFreshOne() {
    VectorShardCluster manual = cluster("gated", 2);
    manual.getSpec().getRebalance().setApproval(RebalanceSpec.Approval.MANUAL);
    client.resource(manual).create();
    await("gated", "Ready", readyAt(1));
    Set<String> written = new java.util.HashSet<>(write("gated", "acme", "globex", "initech", "umbrella", "hooli", "stark"));

    PLANE.kubectl("scale", "-n", ns, "vsc/gated", "--replicas=3");
    VectorShardCluster pending = await("gated", "a plan to approve", v -> v.getStatus().getObservedGeneration() == 2
        && v.getStatus().getRebalance() != null && v.getStatus().getRebalance().getState() == RebalanceState.PendingApproval);
    RebalanceStatus shown = pending.getStatus().getRebalance();
    assertThat(shown.getPlannedMoves()).isPositive().isEqualTo(shown.getMoves().size());
    assertThat(shown.getMoves()).allSatisfy(m -> assertThat(m.getTo()).isEqualTo(2));
    assertThat(condition(pending, Conditions.READY).getReason()).isEqualTo("RebalancePending");
    assertThat(condition(pending, Conditions.READY).getMessage()).contains("vectorshard.io/rebalance=approve", shown.getPlanId());
    assertThat(pending.getStatus().getPhase()).isEqualTo(Phase.Rebalancing);
    sleep(3000); // a few reconciles: nothing moves without approval
    assertThat(live("gated").getStatus().getEpoch()).isEqualTo(1);

    // The cluster drifts: a new tenant lands in a bucket that must move. Approving the plan shown
    // then runs nothing and shows a fresh plan.
    RoutingTable table = table("gated");
    String drifter = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "drift-" + i)
        .filter(t -> table.placement().shardOf(t, 0) != table.placement().withShards(3).shardOf(t, 0)).findFirst().orElseThrow();
    written.addAll(write("gated", drifter));
    PLANE.kubectl("annotate", "-n", ns, "vsc/gated", "vectorshard.io/rebalance=approve",
        "vectorshard.io/rebalance-plan=" + shown.getPlanId());
    VectorShardCluster drifted = await("gated", "the drift refused", v -> Conditions.find(v.getStatus().getConditions(), Conditions.READY)
        .map(c -> "RebalancePlanChanged".equals(c.getReason())).orElse(false));
    assertThat(drifted.getStatus().getRebalance().getPlanId()).isNotEqualTo(shown.getPlanId());
    assertThat(drifted.getStatus().getRebalance().getMoves()).extracting(RebalanceMove::getTenant).contains(drifter);
    assertThat(drifted.getStatus().getEpoch()).as("nothing moved").isEqualTo(1);
    assertThat(drifted.getMetadata().getAnnotations()).as("the approval is spent").doesNotContainKey("vectorshard.io/rebalance");
    assertThat(eventReasons()).contains("RebalancePlanChanged").doesNotContain("RebalanceStarted");

    // Approving the fresh plan runs it.
    PLANE.kubectl("annotate", "-n", ns, "vsc/gated", "vectorshard.io/rebalance=approve",
        "vectorshard.io/rebalance-plan=" + drifted.getStatus().getRebalance().getPlanId());
    await("gated", "3 shards with the data moved", v -> readyAt(2).test(v) && v.getStatus().getRebalance() == null);
    assertEveryVectorAtItsHome("gated", written);
    assertThat(live("gated").getMetadata().getAnnotations()).doesNotContainKey("vectorshard.io/rebalance");
  }

  @Test
  void aRebalanceThatCannotProceedIsDegradedAndRetriedWithBackoffUntilItCan() {
    client.resource(cluster("stuck", 2)).create();
    await("stuck", "Ready", readyAt(1));
    RoutingTable table = table("stuck");
    Set<String> written = write("stuck", "acme", "globex", "initech", "umbrella");
    // A bucket on a shard where no placement puts it: the engine will not guess where it belongs.
    String stray = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "stray-" + i)
        .filter(t -> table.placement().shardOf(t, 0) == 0 && table.placement().withShards(3).shardOf(t, 0) == 2)
        .findFirst().orElseThrow();
    try (ShardClient shard1 = shard("stuck", 1)) {
      shard1.upsert(1, stray, table.vectors(), List.of(new ShardClient.Write(Keys.bucket(stray, 0, 1), "s-1", new float[] {1, 0, 1}, null)));
    }

    PLANE.kubectl("scale", "-n", ns, "vsc/stuck", "--replicas=3");
    VectorShardCluster retrying = await("stuck", "Retrying", v -> v.getStatus().getRebalance() != null
        && v.getStatus().getRebalance().getState() == RebalanceState.Retrying);
    assertThat(retrying.getStatus().getPhase()).isEqualTo(Phase.Degraded);
    assertThat(condition(retrying, Conditions.DEGRADED)).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getReason()).isEqualTo("RebalanceRetrying");
      assertThat(c.getMessage()).contains(Keys.bucket(stray, 0, 1), "shard-1", "needs a look by hand");
    });
    assertThat(retrying.getStatus().getRebalance().getNextAttemptAt()).isNotNull();
    assertThat(eventReasons()).contains("RebalanceFailed");
    assertThat(scrape()).containsPattern("vsc_rebalance_failures_total\\{cluster=\"stuck\",namespace=\"[^\"]+\"} [1-9]");

    // Once the stray key is dealt with, the next attempt (after the backoff) resumes and finishes.
    try (ShardClient shard1 = shard("stuck", 1)) {
      shard1.moves().deleteKey(stray, Keys.bucket(stray, 0, 1), List.of());
    }
    await("stuck", "3 shards with the data moved", v -> readyAt(2).test(v) && v.getStatus().getRebalance() == null);
    assertEveryVectorAtItsHome("stuck", written);
    assertThat(condition(live("stuck"), Conditions.DEGRADED).getStatus()).isEqualTo("False");
  }

  /** The routing table routers are served, from the cluster's routing ConfigMap. */
  private RoutingTable table(String cluster) {
    return RoutingTableCodec.fromJson(client.configMaps().inNamespace(ns).withName(ClusterResources.routing(cluster)).get()
        .getData().get(RoutingConfigMap.TABLE));
  }

  /** Writes three vectors per tenant where the served table puts them, as a router would; returns "tenant/id"s. */
  private Set<String> write(String cluster, String... tenants) {
    RoutingTable table = table(cluster);
    Set<String> written = new java.util.HashSet<>();
    for (String tenant : tenants) {
      for (int i = 0; i < 3; i++) {
        String id = tenant + "-" + i;
        RoutingTable.BucketLocation at = table.locate(tenant, id);
        try (ShardClient shard = new ShardClient(at.shard(), ShardCredentials.admin(password(cluster)), Duration.ofSeconds(2), 1)) {
          shard.upsert(table.epoch(), tenant, table.vectors(),
              List.of(new ShardClient.Write(at.key(), id, new float[] {1, i, tenant.length()}, null)));
        }
        written.add(tenant + "/" + id);
      }
    }
    return written;
  }

  /** Every written vector is where the served table says, and the shards hold nothing else (no copy left behind). */
  private void assertEveryVectorAtItsHome(String cluster, Set<String> written) {
    RoutingTable table = table(cluster);
    assertThat(table.transition()).isNull();
    assertThat(table.shards()).hasSize(live(cluster).getSpec().getShards());
    long stored = 0;
    for (ShardEndpoint endpoint : table.shards()) {
      try (ShardClient shard = new ShardClient(endpoint, ShardCredentials.admin(password(cluster)), Duration.ofSeconds(2), 1)) {
        stored += shard.admin().bucketSizes().values().stream().mapToLong(Long::longValue).sum();
      }
    }
    assertThat(stored).as("vectors on the shards").isEqualTo(written.size());
    for (String tenantAndId : written) {
      String tenant = tenantAndId.substring(0, tenantAndId.indexOf('/'));
      String id = tenantAndId.substring(tenant.length() + 1);
      RoutingTable.BucketLocation at = table.locate(tenant, id);
      try (ShardClient shard = new ShardClient(at.shard(), ShardCredentials.admin(password(cluster)), Duration.ofSeconds(2), 1)) {
        assertThat(shard.get(at.key(), id)).as(tenantAndId + " on " + at.shard().id()).isNotNull();
      }
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
      client.configMaps().inNamespace(ns).withName(ClusterResources.redisConfig("kept"))
          .edit(c -> { c.getMetadata().getAnnotations().put("test/touch", touch); return c; });
      await("kept", "another reconcile", v -> LeaderElectionTest.reconciles(registry) > reconciles);
    }

    assertThat(operatorConnections("kept", 0)).isEqualTo(before);
  }

  /** Ids of the connections the operator holds to a cluster's shard (vectorshard names its connections). */
  private List<String> operatorConnections(String cluster, int ordinal) {
    String password = PasswordSecret.read(client.secrets().inNamespace(ns)
        .withName(ClusterResources.generatedPasswordSecret(cluster)).get()).orElseThrow();
    ShardEndpoint shard = endpoint(cluster, ordinal);
    return RedisShards.vectorshardConnections(new HostAndPort(shard.host(), shard.port()), ShardCredentials.admin(password));
  }

  @Test
  void everythingCreatedIsOwnedByTheClusterSoDeletionCleansUp() {
    client.resource(cluster("gone", 1)).create();
    VectorShardCluster other = cluster("other", 1);
    other.getSpec().getPlacement().setPinned(List.of(new PlacementSpec.PinnedTenant("acme", List.of(5))));
    client.resource(other).create(); // invalid (a pin the schema cannot check), so it needs no Redis of its own
    VectorShardCluster vsc = await("gone", "Ready", readyAt(1));
    await("other", "Invalid", v -> v.getStatus().getPhase() == Phase.Invalid);
    List<HasMetadata> owned = ownedBy(vsc.getMetadata().getUid());
    assertThat(owned).extracting(r -> r.getKind() + "/" + r.getMetadata().getName()).containsExactlyInAnyOrder(
        "StatefulSet/gone-shard-0", "Service/gone-shard-0", "ConfigMap/gone-redis-config", "ConfigMap/gone-routing",
        "Secret/gone-redis-auth", "Secret/gone-router-auth", "PodDisruptionBudget/gone-shards");
    assertThat(owned).allSatisfy(r -> assertThat(r.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getUid()).isEqualTo(vsc.getMetadata().getUid());
      assertThat(o.getController()).isTrue();
    }));
    // The StatefulSet declares what happens to the volumes when it is collected.
    assertThat(statefulSets().stream().filter(s -> s.getMetadata().getName().equals("gone-shard-0")).findFirst()
        .orElseThrow().getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Retain");
    assertThat(scrape()).contains("cluster=\"gone\"");

    String password = PasswordSecret.read(client.secrets().inNamespace(ns)
        .withName(ClusterResources.generatedPasswordSecret("gone")).get()).orElseThrow();
    ShardEndpoint shard = endpoint("gone", 0);
    assertThat(RedisShards.vectorshardConnections(new HostAndPort(shard.host(), shard.port()), ShardCredentials.admin(password))).hasSize(1);

    client.resource(vsc).delete();
    // Kubernetes' garbage collector deletes what the cluster owned; the StatefulSet's pod goes with it.
    await("other", "the garbage collector", v -> ownedBy(vsc.getMetadata().getUid()).isEmpty()
        && client.pods().inNamespace(ns).withLabel(ClusterResources.CLUSTER_LABEL, "gone").list().getItems().isEmpty());
    await("other", "the deleted cluster's metrics to go", v -> !scrape().contains("cluster=\"gone\""));
    assertThat(PLANE.kubelet().runningPods()).doesNotContain(ns + "/gone-shard-0-0");
    // Retain: the volume claim outlives the cluster, so its data can be recovered.
    assertThat(client.persistentVolumeClaims().inNamespace(ns).withName("data-gone-shard-0-0").get()).isNotNull();
    assertThat(live("gone")).isNull();
    assertThat(scrape()).contains("cluster=\"other\"");
    sleep(1000); // anything the operator would wrongly recreate would appear by now
    assertThat(ownedBy(vsc.getMetadata().getUid())).as("the operator must not recreate a deleted cluster's objects")
        .isEmpty();
  }

  @Test
  void theApiServerFillsInEveryDefaultOfTheCrd() {
    // A spec as a user writes it, with the nested objects whose fields carry defaults left empty.
    Map<String, Object> written = Map.of("vectors", Map.of("dimensions", 3), "redis", Map.of("storage", Map.of()),
        "placement", Map.of(), "rebalance", Map.of(), "router", Map.of());
    GenericKubernetesResource stored = client.genericKubernetesResources("vectorshard.io/v1alpha1", "VectorShardCluster")
        .inNamespace(ns).resource(new GenericKubernetesResourceBuilder().withApiVersion("vectorshard.io/v1alpha1")
            .withKind("VectorShardCluster").withNewMetadata().withName("defaults").endMetadata()
            .withAdditionalProperties(Map.of("spec", written)).build()).create();

    io.vectorshard.api.VectorShardClusterSpec javaDefaults = new io.vectorshard.api.VectorShardClusterSpec();
    javaDefaults.getVectors().setDimensions(3);
    Map<String, Object> expected = leaves("", Serialization.jsonMapper().convertValue(javaDefaults, Map.class));
    assertThat(expected).as("the Java model's defaults").containsEntry("shards", 1).containsEntry("redis.storage.size", "10Gi");
    assertThat(leaves("", (Map<?, ?>) stored.getAdditionalProperties().get("spec")))
        .as("what the API server stored: every default the model declares, from the CRD's schema")
        .containsAllEntriesOf(expected);
  }

  /** Scalar leaves of a JSON object by dotted path; empty lists and maps have none. */
  private static Map<String, Object> leaves(String prefix, Map<?, ?> json) {
    Map<String, Object> leaves = new java.util.TreeMap<>();
    json.forEach((k, v) -> {
      String path = prefix.isEmpty() ? k.toString() : prefix + "." + k;
      if (v instanceof Map<?, ?> m) {
        leaves.putAll(leaves(path, m));
      } else if (!(v instanceof List<?>) && v != null) {
        leaves.put(path, v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) ? n.intValue() : v);
      }
    });
    return leaves;
  }

  @Test
  void theApiServerRejectsWhatTheSchemaForbids() {
    record Bad(String field, UnaryOperator<VectorShardCluster> change) {}
    for (Bad bad : List.of(
        new Bad("spec.shards", v -> { v.getSpec().setShards(0); return v; }),
        new Bad("spec.shards", v -> { v.getSpec().setShards(2000); return v; }),
        new Bad("spec.redis.storage.size", v -> { v.getSpec().getRedis().getStorage().setSize("lots"); return v; }),
        new Bad("spec.vectors.dimensions", v -> { v.getSpec().getVectors().setDimensions(0); return v; }),
        new Bad("spec.placement.spread[0].tenant", v -> {
          v.getSpec().getPlacement().setSpread(List.of(new PlacementSpec.SpreadTenant("bad tenant!", 2)));
          return v;
        }))) {
      VectorShardCluster vsc = bad.change().apply(cluster("schema", 1));
      assertThatThrownBy(() -> client.resource(vsc).create()).as(bad.field())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).isEqualTo(422);
            assertThat(e.getMessage()).contains(bad.field());
          });
    }
    assertThat(client.resources(VectorShardCluster.class).inNamespace(ns).list().getItems()).isEmpty();
  }

  @Test
  void aStorageEditTheStatefulSetCannotTakeIsRefusedWithAConditionAndChangesNothing() {
    VectorShardCluster created = cluster("disk", 2);
    created.getSpec().getRedis().getStorage().setSize("1Gi");
    client.resource(created).create();
    await("disk", "Ready", readyAt(1));
    await("disk", "claims bound", v -> client.persistentVolumeClaims().inNamespace(ns).list().getItems().stream()
        .filter(c -> c.getStatus() != null && "Bound".equals(c.getStatus().getPhase())).count() == 2);
    Map<String, String> before = versions();

    edit("disk", v -> { v.getSpec().getRedis().getStorage().setSize("2Gi"); return v; });
    VectorShardCluster vsc = await("disk", "refusal", v -> v.getStatus().getObservedGeneration() == 2);
    assertThat(vsc.getStatus().getPhase()).isEqualTo(Phase.Invalid);
    assertThat(condition(vsc, Conditions.READY)).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getReason()).isEqualTo("StorageChangeRefused");
      assertThat(c.getMessage()).contains("disk-shard-0 has a 1Gi volume", "the spec asks for a 2Gi volume");
    });
    assertThat(eventReasons()).contains("StorageChangeRefused");
    sleep(2000); // a reconcile loop failing on the API server's refusal would show by now
    assertThat(versions()).as("nothing was applied").isEqualTo(before);
    assertThat(scrape()).as("no reconcile failed").doesNotContain("vsc_operator_reconcile_errors_total{");

    edit("disk", v -> { v.getSpec().getRedis().getStorage().setSize("1024Mi"); return v; }); // the same size
    assertThat(await("disk", "Ready again", readyAt(3)).getStatus().getEpoch()).isEqualTo(1);
  }

  @Test
  void aFailingReconcileShowsInTheStatusAndAnEventInsteadOfAStaleReady() {
    client.resource(cluster("clash", 1)).create();
    await("clash", "Ready", readyAt(1));
    // Someone else's Service holds the name the next shard's Service needs.
    client.services().inNamespace(ns).resource(new ServiceBuilder().withNewMetadata().withName("clash-shard-1")
        .endMetadata().withNewSpec().addNewPort().withPort(6379).endPort().endSpec().build()).create();

    PLANE.kubectl("scale", "-n", ns, "vsc/clash", "--replicas=2");
    VectorShardCluster failed = await("clash", "the failure in the status",
        v -> "ReconcileFailed".equals(condition(v, Conditions.READY).getReason()));
    assertThat(condition(failed, Conditions.READY)).satisfies(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      // The API server's own words, naming the object it refused.
      assertThat(c.getMessage()).contains("services \"clash-shard-1\"").containsPattern("\\(HTTP 4\\d\\d\\)");
    });
    assertThat(condition(failed, Conditions.DEGRADED).getStatus()).isEqualTo("True");
    assertThat(failed.getStatus().getPhase()).isEqualTo(Phase.Degraded);
    await("clash", "a Warning event", v -> client.v1().events().inNamespace(ns).list().getItems().stream()
        .anyMatch(e -> "ReconcileFailed".equals(e.getReason()) && "Warning".equals(e.getType())));

    client.services().inNamespace(ns).withName("clash-shard-1").delete();
    assertThat(await("clash", "Ready at 2 shards", readyAt(2)).getStatus().getReadyShards()).isEqualTo(2);
  }

  private List<HasMetadata> ownedBy(String uid) {
    return Stream.<List<? extends HasMetadata>>of(statefulSets(), client.services().inNamespace(ns).list().getItems(),
            client.configMaps().inNamespace(ns).list().getItems(), client.secrets().inNamespace(ns).list().getItems(),
            client.policy().v1().podDisruptionBudget().inNamespace(ns).list().getItems())
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
