package io.vectorshard.router;

import static io.vectorshard.router.testing.RouterCluster.array;
import static io.vectorshard.router.testing.RouterCluster.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorshard.core.placement.Placement;
import io.vectorshard.core.redis.Keys;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.routing.RoutingTableCodec;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.router.testing.RouterCluster;
import io.vectorshard.router.testing.RouterCluster.Item;
import io.vectorshard.router.testing.RouterCluster.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Contract 2 basics through the router: a shard at a newer epoch refuses the router's writes
 * (STALE), the router reloads the table and retries, and the write lands where the new table says;
 * a newer epoch seen on a read makes the router reload and ask again; announcements alone bring a
 * new table. The periodic table check is off, so only these paths can teach the router.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EpochFencingTest {
  private static final int DIMS = 4;
  private static final String MOVER = "mover";
  private static final String KEY = Keys.bucket(MOVER, 0, 1);
  private static RouterCluster cluster;
  private static RoutingTable table;
  private static final Random random = new Random(77);

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(2).dimensions(DIMS).pin(MOVER, 0)
        .config(c -> RouterCluster.withTableCheckInterval(c, Duration.ZERO))
        .start();
    table = cluster.table();
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      items.add(new Item("v" + i, RouterCluster.randomVector(random, DIMS), null));
    }
    cluster.batch(MOVER, items);
    assertThat(cluster.vcard(0, KEY)).isEqualTo(3);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** The first table with the mover pinned elsewhere and a new epoch. */
  private static RoutingTable moved(long epoch, int shard, Map<String, List<Integer>> morePins) {
    Map<String, List<Integer>> pins = new HashMap<>(morePins);
    pins.put(MOVER, List.of(shard));
    return new RoutingTable(table.cluster(), epoch, table.vectors(), table.shards(),
        new Placement(table.placement().shards(), 1, pins, Map.of()));
  }

  private static long routerEpoch() {
    Response r = cluster.get("/v1/routing");
    assertThat(r.status()).isEqualTo(200);
    return r.json().get("epoch").asLong();
  }

  private static double metric(String name, Map<String, String> labels) {
    return cluster.metric(name, labels);
  }

  @Test
  @Order(1)
  void aStaleWriteIsRetriedUnderTheNewTable() {
    assertThat(routerEpoch()).isEqualTo(1);
    double staleBefore = metric("vsc_router_stale_retries_total", Map.of());
    cluster.publishSilently(moved(2, 1, Map.of()));
    assertThat(routerEpoch()).as("the router cannot have heard of epoch 2 yet").isEqualTo(1);

    Response r = cluster.upsert(MOVER, "new1", RouterCluster.randomVector(random, DIMS), object().put("w", 1));
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("epoch").asLong()).isEqualTo(2);
    // Landed per the new table, and the old shard never saw it.
    assertThat(cluster.members(1, KEY)).containsExactly("new1");
    assertThat(cluster.members(0, KEY)).containsExactlyInAnyOrder("v0", "v1", "v2");

    assertThat(routerEpoch()).isEqualTo(2);
    assertThat(metric("vsc_router_stale_retries_total", Map.of())).isEqualTo(staleBefore + 1);
    assertThat(metric("vsc_router_table_refreshes_total", Map.of("trigger", "stale"))).isEqualTo(1.0);
    assertThat(metric("vsc_router_routing_epoch", Map.of())).isEqualTo(2.0);
  }

  @Test
  @Order(2)
  void aNewerEpochSeenOnAReadMakesTheRouterReloadAndAskAgain() {
    // Back to shard 0, silently: the router (epoch 2) asks shard 1, which answers at epoch 3.
    cluster.publishSilently(moved(3, 0, Map.of()));
    ObjectNode query = object().put("topK", 10);
    query.set("vector", array(RouterCluster.randomVector(random, DIMS)));
    Response r = cluster.post("/v1/tenants/" + MOVER + "/query", query);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("epoch").asLong()).isEqualTo(3);
    assertThat(r.json().get("results").findValuesAsText("id")).containsExactlyInAnyOrder("v0", "v1", "v2");
    assertThat(metric("vsc_router_table_refreshes_total", Map.of("trigger", "read-epoch"))).isEqualTo(1.0);
    assertThat(routerEpoch()).isEqualTo(3);
  }

  @Test
  @Order(3)
  void aStaleDeleteIsRetriedWhereTheElementLives() {
    // new1 lives on shard 1. The router (epoch 3, mover on shard 0) learns silently that epoch 4
    // puts the mover on shard 1 again.
    cluster.publishSilently(moved(4, 1, Map.of()));
    Response r = cluster.delete("/v1/tenants/" + MOVER + "/vectors/new1");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("deleted").asBoolean()).isTrue();
    assertThat(cluster.vcard(1, KEY)).isZero();
    assertThat(cluster.members(0, KEY)).containsExactlyInAnyOrder("v0", "v1", "v2");
    assertThat(routerEpoch()).isEqualTo(4);
  }

  @Test
  @Order(4)
  void anAnnouncedTableIsPickedUpWithoutAnyRequest() throws InterruptedException {
    double announcedBefore = metric("vsc_router_table_refreshes_total", Map.of("trigger", "announcement"));
    double staleBefore = metric("vsc_router_stale_retries_total", Map.of());
    cluster.publish(moved(5, 0, Map.of("someone", List.of(1))));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (routerEpoch() < 5 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(routerEpoch()).isEqualTo(5);
    Response table = cluster.get("/v1/routing");
    assertThat(table.json().get("placement").get("pinned").get("someone")).hasSize(1);
    assertThat(metric("vsc_router_table_refreshes_total", Map.of("trigger", "announcement")))
        .isEqualTo(announcedBefore + 1);
    assertThat(metric("vsc_router_stale_retries_total", Map.of())).isEqualTo(staleBefore);
    assertThat(cluster.get("/readyz").json().get("epoch").asLong()).isEqualTo(5);
  }

  @Test
  @Order(5)
  void aWriteRightAfterAnAnnouncedMoveLandsPerTheNewTable() {
    double learnedBefore = metric("vsc_router_stale_retries_total", Map.of())
        + metric("vsc_router_table_refreshes_total", Map.of());
    cluster.publish(moved(6, 1, Map.of()));
    Response r = cluster.upsert(MOVER, "new2", RouterCluster.randomVector(random, DIMS), null);
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("epoch").asLong()).isEqualTo(6);
    assertThat(cluster.members(1, KEY)).containsExactly("new2");
    assertThat(cluster.members(0, KEY)).doesNotContain("new2");
    assertThat(metric("vsc_router_stale_retries_total", Map.of())
        + metric("vsc_router_table_refreshes_total", Map.of())).isGreaterThan(learnedBefore);
  }

  @Test
  @Order(6)
  void olderTablesAreNeverInstalled() {
    // A shard that lost its state and offers an old table does not move the router backwards.
    try (var jedis = cluster.jedis(0)) {
      jedis.set(Keys.ROUTING, RoutingTableCodec.toJson(moved(2, 0, Map.of())));
      jedis.set(Keys.EPOCH, "2");
    }
    cluster.router().routing().refresh("test");
    assertThat(routerEpoch()).isEqualTo(6);
    assertThat(metric("vsc_router_table_refreshes_total", Map.of("trigger", "test"))).isZero();
    Response r = cluster.upsert(MOVER, "new3", RouterCluster.randomVector(random, DIMS), null);
    assertThat(r.json().get("epoch").asLong()).isEqualTo(6);
    assertThat(cluster.members(1, KEY)).contains("new3");
  }

  @Test
  @Order(7)
  void aReadOfOneVectorFollowsANewerEpochToo() {
    // Another router, already at epoch 7, wrote an element where epoch 7 puts the mover (shard 0).
    // This router has not heard of epoch 7; reading the element back must still find it.
    RoutingTable seven = moved(7, 0, Map.of());
    cluster.publishSilently(seven);
    try (ShardClient other = cluster.shardClient(0)) {
      other.upsert(7, MOVER, seven.vectors(),
          List.of(new ShardClient.Write(KEY, "elsewhere", RouterCluster.randomVector(random, DIMS), "{\"by\":\"other\"}")));
    }
    Response r = cluster.get("/v1/tenants/" + MOVER + "/vectors/elsewhere");
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    assertThat(r.json().get("metadata").get("by").asText()).isEqualTo("other");
    assertThat(routerEpoch()).isEqualTo(7);
  }
}
