package io.vectorshard.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorshard.core.redis.Keys;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.router.testing.RouterCluster;
import io.vectorshard.router.testing.RouterCluster.Item;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Writes land where the routing table says: default, spread and pinned tenants. */
class RoutingPlacementTest {
  private static final int SHARDS = 4;
  private static RouterCluster cluster;
  private static RoutingTable table;
  /** key -> ids written into it, per the table, for the keys this class wrote. */
  private static final Map<String, Set<String>> expectedByKey = new TreeMap<>();
  private static final Random random = new Random(11);

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(SHARDS).dimensions(4)
        .spread("hot", 4)
        .spread("warm", 2)
        .pin("solo", 2)
        .pin("pair", 1, 3)
        .spread("pair", 2)
        .pin("pinned-spread-more", 0, 1)
        .spread("pinned-spread-more", 4)
        .spread("hotter", 4)
        .pin("solo-b", 2)
        .pin("pair-b", 1, 3)
        .spread("pair-b", 2)
        .pin("psm-b", 0, 1)
        .spread("psm-b", 4)
        .start();
    table = cluster.table();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static void write(String tenant, int count, boolean viaBatch) {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = tenant + "-el-" + i;
      items.add(new Item(id, RouterCluster.randomVector(random, 4), null));
      expectedByKey.computeIfAbsent(table.locate(tenant, id).key(), k -> new HashSet<>()).add(id);
    }
    if (viaBatch) {
      cluster.batch(tenant, items);
    } else {
      items.forEach(it -> cluster.upsert(tenant, it.id(), it.vector(), null));
    }
  }

  /** Ordinal of the shard that holds each key of the tenant, found by looking at every shard. */
  private static Map<String, Integer> whereKeysAre(String tenant) {
    Map<String, Integer> where = new HashMap<>();
    for (int s = 0; s < SHARDS; s++) {
      for (String key : cluster.tenantKeys(s).keySet()) {
        if (key.startsWith("vsc:t:{" + tenant + "}:")) {
          Integer before = where.put(key, s);
          assertThat(before).as("key %s exists on two shards", key).isNull();
        }
      }
    }
    return where;
  }

  @Test
  void everyElementIsInTheKeyAndShardTheTableNames() {
    for (String tenant : List.of("alpha", "beta", "gamma", "delta", "hot", "warm", "solo", "pair",
        "pinned-spread-more")) {
      write(tenant, 40, !tenant.equals("gamma"));
    }
    for (String tenant : List.of("alpha", "beta", "gamma", "delta", "hot", "warm", "solo", "pair",
        "pinned-spread-more")) {
      Map<String, Integer> where = whereKeysAre(tenant);
      for (RoutingTable.BucketLocation bucket : table.bucketsOf(tenant)) {
        Set<String> expected = expectedByKey.getOrDefault(bucket.key(), Set.of());
        if (expected.isEmpty()) {
          assertThat(where).doesNotContainKey(bucket.key());
          continue;
        }
        assertThat(where.get(bucket.key())).as("shard of %s", bucket.key()).isEqualTo(bucket.shard().ordinal());
        assertThat(cluster.members(bucket.shard().ordinal(), bucket.key())).as("elements of %s", bucket.key())
            .containsExactlyInAnyOrderElementsOf(expected);
      }
      // No key of the tenant exists that the table does not name.
      assertThat(where.keySet()).isSubsetOf(table.bucketsOf(tenant).stream().map(RoutingTable.BucketLocation::key).toList());
      long total = where.entrySet().stream().mapToLong(e -> cluster.vcard(e.getValue(), e.getKey())).sum();
      assertThat(total).as("elements of %s over all shards", tenant).isEqualTo(40);
    }
  }

  @Test
  void defaultTenantLivesInOneKeyOnOneShard() {
    write("single", 25, true);
    Map<String, Integer> where = whereKeysAre("single");
    assertThat(where).hasSize(1).containsKey(Keys.bucket("single", 0, 1));
    assertThat(where.get(Keys.bucket("single", 0, 1))).isEqualTo(table.bucketsOf("single").get(0).shard().ordinal());
    assertThat(cluster.vcard(where.get(Keys.bucket("single", 0, 1)), Keys.bucket("single", 0, 1))).isEqualTo(25);
  }

  @Test
  void spreadTenantCoversDistinctShards() {
    // 4 buckets over 4 shards: every shard holds one bucket, none holds two.
    List<Integer> hotShards = table.bucketsOf("hotter").stream().map(b -> b.shard().ordinal()).toList();
    assertThat(hotShards).doesNotHaveDuplicates().hasSize(4);
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      items.add(new Item("spread-" + i, RouterCluster.randomVector(random, 4), null));
    }
    cluster.batch("hotter", items);
    Map<String, Integer> where = whereKeysAre("hotter");
    assertThat(where).hasSize(4);
    assertThat(new HashSet<>(where.values())).containsExactlyInAnyOrder(0, 1, 2, 3);
    for (Map.Entry<String, Integer> e : where.entrySet()) {
      // 200 random ids over 4 buckets: every bucket gets a fair share.
      assertThat(cluster.vcard(e.getValue(), e.getKey())).isGreaterThan(20);
    }
  }

  @Test
  void pinnedTenantsStayOnTheirPinnedShards() {
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      items.add(new Item("p-" + i, RouterCluster.randomVector(random, 4), null));
    }
    cluster.batch("solo-b", items);
    cluster.batch("pair-b", items);
    cluster.batch("psm-b", items);
    assertThat(new HashSet<>(whereKeysAre("solo-b").values())).containsExactly(2);
    assertThat(new HashSet<>(whereKeysAre("pair-b").values())).containsExactlyInAnyOrder(1, 3);
    // 4 buckets over 2 pinned shards: both used, nothing elsewhere.
    assertThat(new HashSet<>(whereKeysAre("psm-b").values())).containsExactlyInAnyOrder(0, 1);
    assertThat(whereKeysAre("psm-b")).hasSize(4);
    for (int s = 0; s < SHARDS; s++) {
      for (String key : cluster.tenantKeys(s).keySet()) {
        if (key.startsWith("vsc:t:{solo-b}")) {
          assertThat(s).isEqualTo(2);
        }
        if (key.startsWith("vsc:t:{pair-b}")) {
          assertThat(s).isIn(1, 3);
        }
      }
    }
  }

  @Test
  void tenantsSetOnEachShardListsOnlyTenantsWithDataThere() {
    write("listed", 5, true);
    int home = table.bucketsOf("listed").get(0).shard().ordinal();
    for (int s = 0; s < SHARDS; s++) {
      try (var jedis = cluster.jedis(s)) {
        if (s == home) {
          assertThat(jedis.smembers(Keys.TENANTS)).contains("listed");
        } else {
          assertThat(jedis.smembers(Keys.TENANTS)).doesNotContain("listed");
        }
      }
    }
  }
}
