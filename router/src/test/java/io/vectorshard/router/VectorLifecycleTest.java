package io.vectorshard.router;

import static io.vectorshard.router.testing.RouterCluster.array;
import static io.vectorshard.router.testing.RouterCluster.object;
import static io.vectorshard.router.testing.RouterCluster.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorshard.core.redis.Keys;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.router.testing.RouterCluster;
import io.vectorshard.router.testing.RouterCluster.Item;
import io.vectorshard.router.testing.RouterCluster.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Upsert (single and batch), read back, delete, drop a tenant. */
class VectorLifecycleTest {
  private static final int DIMS = 8;
  private static final int SHARDS = 4;
  private static RouterCluster cluster;
  private static RoutingTable table;
  private static final Random random = new Random(1234);

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(SHARDS).dimensions(DIMS)
        .spread("hot", 4).spread("reads", 4).spread("doomed", 3)
        .start();
    table = cluster.table();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static List<Item> items(String prefix, int from, int to) {
    List<Item> items = new ArrayList<>();
    for (int i = from; i < to; i++) {
      items.add(new Item(prefix + i, RouterCluster.randomVector(random, DIMS), object().put("i", i)));
    }
    return items;
  }

  private static long elementsOf(String tenant) {
    long total = 0;
    for (RoutingTable.BucketLocation b : table.bucketsOf(tenant)) {
      total += cluster.vcard(b.shard().ordinal(), b.key());
    }
    return total;
  }

  @Test
  void batchAndSingleUpsertsCountCreatedAndUpdated() {
    Response first = cluster.batch("counts", items("c", 0, 50));
    assertThat(first.json().get("tenant").asText()).isEqualTo("counts");
    assertThat(first.json().get("upserted").asInt()).isEqualTo(50);
    assertThat(first.json().get("created").asInt()).isEqualTo(50);
    assertThat(first.json().get("epoch").asLong()).isEqualTo(1);
    // 20 already there, 10 new.
    Response second = cluster.batch("counts", items("c", 30, 60));
    assertThat(second.json().get("upserted").asInt()).isEqualTo(30);
    assertThat(second.json().get("created").asInt()).isEqualTo(10);
    assertThat(elementsOf("counts")).isEqualTo(60);

    Response update = cluster.upsert("counts", "c5", RouterCluster.randomVector(random, DIMS), null);
    assertThat(update.status()).isEqualTo(200);
    assertThat(update.json().get("created").asBoolean()).isFalse();
    Response create = cluster.upsert("counts", "c-new", RouterCluster.randomVector(random, DIMS), null);
    assertThat(create.status()).isEqualTo(201);
    assertThat(create.json().get("created").asBoolean()).isTrue();
    assertThat(create.json().get("id").asText()).isEqualTo("c-new");
    assertThat(elementsOf("counts")).isEqualTo(61);
  }

  @Test
  void aBatchIsOnePipelinedCallPerShardAndEveryShardGetsItsPart() {
    List<Item> items = items("h", 0, 300);
    Map<Integer, Integer> perShard = new HashMap<>();
    for (Item item : items) {
      perShard.merge(table.locate("hot", item.id()).shard().ordinal(), 1, Integer::sum);
    }
    assertThat(perShard).hasSize(SHARDS);
    String before = cluster.metrics();
    Response r = cluster.batch("hot", items);
    assertThat(r.json().get("created").asInt()).isEqualTo(300);
    String after = cluster.metrics();
    for (int s = 0; s < SHARDS; s++) {
      String id = cluster.shardId(s);
      Map<String, String> upsertOnShard = Map.of("shard", id, "op", "upsert", "outcome", "ok");
      assertThat(RouterCluster.metricValue(after, "vsc_router_shard_request_seconds_count", upsertOnShard)
          - RouterCluster.metricValue(before, "vsc_router_shard_request_seconds_count", upsertOnShard))
          .as("upsert calls to %s for one batch", id).isEqualTo(1.0);
      assertThat(RouterCluster.metricValue(after, "vsc_router_vectors_written_total", Map.of("shard", id))
          - RouterCluster.metricValue(before, "vsc_router_vectors_written_total", Map.of("shard", id)))
          .isEqualTo(perShard.get(s).doubleValue());
    }
    for (RoutingTable.BucketLocation b : table.bucketsOf("hot")) {
      List<String> expected = items.stream().map(Item::id)
          .filter(id -> table.locate("hot", id).key().equals(b.key())).toList();
      assertThat(cluster.members(b.shard().ordinal(), b.key())).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  @Test
  void getReturnsTheVectorAndMetadata() {
    ObjectNode meta = object().put("title", "Grüße, \"quoted\" \\ and 😀").put("n", 42).put("x", 0.125)
        .put("ok", true).putNull("nothing");
    meta.putArray("tags").add("a").add(1);
    meta.putObject("nested").put("deep", "yes");
    for (String id : List.of("plain", "with space", "sl/ash", "q?uery#frag%25", "ünï", "{brace}:colon*")) {
      float[] v = RouterCluster.randomVector(random, DIMS);
      cluster.upsert("reads", id, v, meta);
      Response r = cluster.get("/v1/tenants/reads/vectors/" + segment(id));
      assertThat(r.status()).as("GET %s: %s", id, r).isEqualTo(200);
      assertThat(r.json().get("id").asText()).isEqualTo(id);
      assertThat(r.json().get("tenant").asText()).isEqualTo("reads");
      assertThat(r.json().get("metadata")).isEqualTo(meta);
      JsonNode vector = r.json().get("vector");
      assertThat(vector).hasSize(DIMS);
      double max = 0;
      for (float f : v) {
        max = Math.max(max, Math.abs(f));
      }
      for (int i = 0; i < DIMS; i++) {
        // Q8 keeps each component within about max/127.
        assertThat(vector.get(i).asDouble()).isCloseTo(v[i], within(max / 100));
      }
      // The element is exactly where the table says.
      RoutingTable.BucketLocation where = table.locate("reads", id);
      assertThat(cluster.members(where.shard().ordinal(), where.key())).contains(id);
    }
  }

  @Test
  void anUpsertReplacesVectorAndMetadata() {
    float[] v1 = RouterCluster.randomVector(random, DIMS);
    cluster.upsert("replace", "x", v1, object().put("version", 1).put("old", "yes"));
    float[] v2 = new float[DIMS];
    v2[0] = 1;
    cluster.upsert("replace", "x", v2, object().put("version", 2));
    Response r = cluster.get("/v1/tenants/replace/vectors/x");
    assertThat(r.json().get("metadata")).isEqualTo(object().put("version", 2));
    assertThat(r.json().get("vector").get(0).asDouble()).isCloseTo(1, within(0.01));
    assertThat(r.json().get("vector").get(1).asDouble()).isCloseTo(0, within(0.01));
    // Without metadata the element has none afterwards.
    cluster.upsert("replace", "x", v2, null);
    assertThat(cluster.get("/v1/tenants/replace/vectors/x").json().get("metadata")).isEqualTo(object());
    ObjectNode query = object();
    query.set("vector", array(v2));
    Response found = cluster.post("/v1/tenants/replace/query", query);
    assertThat(found.json().get("results")).hasSize(1);
    assertThat(found.json().get("results").get(0).get("score").asDouble()).isCloseTo(1.0, within(1e-3));
  }

  @Test
  void deleteThenGetIsNotFoundAndQueriesNoLongerReturnIt() {
    List<Item> items = items("d", 0, 5);
    cluster.batch("deleting", items);
    Response deleted = cluster.delete("/v1/tenants/deleting/vectors/d2");
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.json().get("deleted").asBoolean()).isTrue();
    assertThat(cluster.get("/v1/tenants/deleting/vectors/d2").status()).isEqualTo(404);
    assertThat(cluster.delete("/v1/tenants/deleting/vectors/d2").json().get("deleted").asBoolean()).isFalse();
    ObjectNode query = object().put("topK", 10);
    query.set("vector", array(items.get(2).vector()));
    Response r = cluster.post("/v1/tenants/deleting/query", query);
    assertThat(r.json().get("results").findValuesAsText("id")).containsExactlyInAnyOrder("d0", "d1", "d3", "d4");
    assertThat(elementsOf("deleting")).isEqualTo(4);
    // Deleting the last elements removes the key: nothing is left behind.
    for (String id : List.of("d0", "d1", "d3", "d4")) {
      assertThat(cluster.delete("/v1/tenants/deleting/vectors/" + id).json().get("deleted").asBoolean()).isTrue();
    }
    assertThat(cluster.post("/v1/tenants/deleting/query", query).json().get("results")).isEmpty();
    for (int s = 0; s < SHARDS; s++) {
      assertThat(cluster.tenantKeys(s)).doesNotContainKey(Keys.bucket("deleting", 0, 1));
    }
  }

  @Test
  void droppingATenantRemovesItsKeysOnEveryShardAndNothingElse() {
    cluster.batch("doomed", items("z", 0, 120));
    cluster.batch("survivor", items("z", 0, 10));
    int keysBefore = 0;
    for (int s = 0; s < SHARDS; s++) {
      keysBefore += (int) cluster.tenantKeys(s).keySet().stream().filter(k -> k.startsWith("vsc:t:{doomed}:")).count();
    }
    assertThat(keysBefore).isEqualTo(3);
    Map<String, String> others = new HashMap<>(cluster.fingerprint());
    others.keySet().removeIf(k -> k.contains("{doomed}") || k.endsWith(Keys.TENANTS));

    Response drop = cluster.delete("/v1/tenants/doomed");
    assertThat(drop.status()).isEqualTo(200);
    assertThat(drop.json().get("droppedKeys").asLong()).isEqualTo(3);
    for (int s = 0; s < SHARDS; s++) {
      assertThat(cluster.tenantKeys(s).keySet()).noneMatch(k -> k.contains("{doomed}"));
      try (var jedis = cluster.jedis(s)) {
        assertThat(jedis.smembers(Keys.TENANTS)).doesNotContain("doomed");
      }
    }
    Map<String, String> after = new HashMap<>(cluster.fingerprint());
    after.keySet().removeIf(k -> k.endsWith(Keys.TENANTS));
    assertThat(after).isEqualTo(others);

    ObjectNode query = object().put("topK", 50);
    query.set("vector", array(RouterCluster.randomVector(random, DIMS)));
    assertThat(cluster.post("/v1/tenants/doomed/query", query).json().get("results")).isEmpty();
    assertThat(cluster.get("/v1/tenants/doomed/vectors/z1").status()).isEqualTo(404);
    Response scatter = cluster.post("/v1/search", query.deepCopy().put("topK", 1000));
    assertThat(scatter.json().get("results").findValuesAsText("tenant")).doesNotContain("doomed").contains("survivor");
    // A dropped tenant can start over.
    assertThat(cluster.batch("doomed", items("z", 0, 3)).json().get("created").asInt()).isEqualTo(3);
    assertThat(elementsOf("doomed")).isEqualTo(3);
  }

  @Test
  void concurrentWritersAndReadersLoseNothing() throws Exception {
    int writers = 8;
    int perWriter = 40;
    var pool = java.util.concurrent.Executors.newFixedThreadPool(writers + 2);
    try {
      List<java.util.concurrent.Future<Integer>> created = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        String tenant = "busy-" + (w % 3);
        int writer = w;
        created.add(pool.submit(() -> {
          Random own = new Random(writer);
          int n = 0;
          for (int i = 0; i < perWriter; i++) {
            String id = "w" + writer + "-" + i;
            if (i % 10 == 0) {
              List<Item> batch = new ArrayList<>();
              for (int j = 0; j < 5; j++) {
                batch.add(new Item(id + "-b" + j, RouterCluster.randomVector(own, DIMS), null));
              }
              n += cluster.batch(tenant, batch).json().get("created").asInt();
            } else {
              n += cluster.upsert(tenant, id, RouterCluster.randomVector(own, DIMS), null).status() == 201 ? 1 : 0;
            }
          }
          return n;
        }));
      }
      var readers = pool.submit(() -> {
        for (int i = 0; i < 60; i++) {
          ObjectNode query = object().put("topK", 5);
          query.set("vector", array(RouterCluster.randomVector(new Random(i), DIMS)));
          query.putArray("tenants").add("busy-0").add("busy-1").add("busy-2");
          Response r = cluster.post("/v1/search", query);
          assertThat(r.status()).as("%s", r).isEqualTo(200);
        }
        return null;
      });
      int total = 0;
      for (var f : created) {
        total += f.get();
      }
      readers.get();
      // Each writer: 36 single upserts and 4 batches of 5, all new ids.
      assertThat(total).isEqualTo(writers * (36 + 4 * 5));
      long stored = 0;
      for (int t = 0; t < 3; t++) {
        stored += elementsOf("busy-" + t);
      }
      assertThat(stored).isEqualTo(total);
    } finally {
      pool.shutdownNow();
    }
  }
}
