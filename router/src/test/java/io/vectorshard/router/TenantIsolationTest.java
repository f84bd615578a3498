package io.vectorshard.router;

import static io.vectorshard.router.testing.RouterCluster.array;
import static io.vectorshard.router.testing.RouterCluster.object;
import static io.vectorshard.router.testing.RouterCluster.segment;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorshard.router.testing.RouterCluster;
import io.vectorshard.router.testing.RouterCluster.Item;
import io.vectorshard.router.testing.RouterCluster.Response;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Contract 1: a query for tenant A never returns an element written for tenant B, even when their
 * element ids collide and they share shards; tenant ids that try to name other keys are refused and
 * touch nothing.
 */
class TenantIsolationTest {
  private static final int DIMS = 8;
  private static RouterCluster cluster;
  /** Ids written per tenant. Every element's metadata also names its owner. */
  private static final Map<String, Set<String>> written = new LinkedHashMap<>();
  private static final Random random = new Random(20240601);

  /** Ids every tenant draws from, so that they collide across tenants; some look like keys. */
  private static final List<String> ID_POOL = new ArrayList<>();

  static {
    for (int i = 0; i < 25; i++) {
      ID_POOL.add("doc-" + i);
    }
    ID_POOL.addAll(List.of("vsc:t:{acme}:0", "*", "{acme}", "doc 1", "ünïcödé", "acme", "../acme"));
  }

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(3).dimensions(DIMS)
        .pin("tenant-00", 0).pin("tenant-01", 0).pin("tenant-02", 0)
        .spread("tenant-03", 3).spread("tenant-04", 2)
        .start();
    List<String> tenants = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      tenants.add(String.format("tenant-%02d", i));
    }
    // Names that differ only in case or separator must still be different tenants.
    tenants.addAll(List.of("acme", "ACME", "acme.prod", "acme-prod", "acme_prod"));
    for (String tenant : tenants) {
      List<String> pool = new ArrayList<>(ID_POOL);
      Collections.shuffle(pool, random);
      List<String> ids = pool.subList(0, 3 + random.nextInt(18));
      List<Item> items = new ArrayList<>();
      for (String id : ids) {
        items.add(new Item(id, RouterCluster.randomVector(random, DIMS), object().put("owner", tenant).put("id", id)));
      }
      if (tenant.hashCode() % 3 == 0) {
        items.forEach(it -> cluster.upsert(tenant, it.id(), it.vector(), it.metadata()));
      } else {
        cluster.batch(tenant, items);
      }
      written.put(tenant, new HashSet<>(ids));
    }
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static void assertOwnedBy(JsonNode result, String tenant) {
    assertThat(result.get("id").asText()).as("id returned for %s", tenant).isIn(written.get(tenant));
    assertThat(result.get("metadata").get("owner").asText()).as("owner of %s returned for %s", result, tenant)
        .isEqualTo(tenant);
    assertThat(result.get("metadata").get("id").asText()).isEqualTo(result.get("id").asText());
  }

  @Test
  void everyTenantQuerySeesOnlyItsOwnElements() {
    int checked = 0;
    for (int q = 0; q < 25; q++) {
      float[] query = RouterCluster.randomVector(random, DIMS);
      for (String tenant : written.keySet()) {
        int topK = 1 + random.nextInt(25);
        ObjectNode body = object().put("topK", topK);
        body.set("vector", array(query));
        Response r = cluster.post("/v1/tenants/" + tenant + "/query", body);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.json().get("tenant").asText()).isEqualTo(tenant);
        JsonNode results = r.json().get("results");
        assertThat(results.size()).as("results for %s", tenant).isEqualTo(Math.min(topK, written.get(tenant).size()));
        Set<String> seen = new HashSet<>();
        for (JsonNode result : results) {
          assertOwnedBy(result, tenant);
          assertThat(seen.add(result.get("id").asText())).as("duplicate id").isTrue();
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThan(1000);
  }

  @Test
  void everyArticleQuerySeesOnlyItsOwnElements() {
    for (int q = 0; q < 25; q++) {
      float[] query = RouterCluster.randomVector(random, DIMS);
      for (String tenant : written.keySet()) {
        int topK = 1 + random.nextInt(25);
        ObjectNode body = object().put("top_k", topK);
        body.set("query_vector", array(query));
        body.putObject("filters").put("tenant_id", tenant);
        Response r = cluster.post("/v1/query", body);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.header("X-Vectorshard-Partial")).isEqualTo("false");
        assertThat(r.json().isArray()).isTrue();
        assertThat(r.json().size()).isEqualTo(Math.min(topK, written.get(tenant).size()));
        for (JsonNode result : r.json()) {
          assertThat(result.get("tenant").asText()).isEqualTo(tenant);
          assertOwnedBy(result, tenant);
        }
      }
    }
  }

  @Test
  void aScatterOverChosenTenantsSeesOnlyThoseTenants() {
    List<String> tenants = new ArrayList<>(written.keySet());
    for (int q = 0; q < 20; q++) {
      Collections.shuffle(tenants, random);
      List<String> chosen = tenants.subList(0, 1 + random.nextInt(4));
      ObjectNode body = object().put("topK", 50);
      body.set("vector", array(RouterCluster.randomVector(random, DIMS)));
      chosen.forEach(body.putArray("tenants")::add);
      Response r = cluster.post("/v1/search", body);
      assertThat(r.status()).as("%s", r).isEqualTo(200);
      assertThat(r.json().get("partial").asBoolean()).isFalse();
      int expected = chosen.stream().mapToInt(t -> written.get(t).size()).sum();
      assertThat(r.json().get("results").size()).isEqualTo(Math.min(50, expected));
      for (JsonNode result : r.json().get("results")) {
        String tenant = result.get("tenant").asText();
        assertThat(tenant).isIn(chosen);
        assertOwnedBy(result, tenant);
      }
    }
  }

  @Test
  void readsOfCollidingIdsReturnTheTenantsOwnElement() {
    for (String tenant : written.keySet()) {
      for (String id : ID_POOL) {
        Response r = cluster.get("/v1/tenants/" + tenant + "/vectors/" + segment(id));
        if (written.get(tenant).contains(id)) {
          assertThat(r.status()).as("%s %s: %s", tenant, id, r).isEqualTo(200);
          assertThat(r.json().get("id").asText()).isEqualTo(id);
          assertThat(r.json().get("metadata").get("owner").asText()).isEqualTo(tenant);
        } else {
          assertThat(r.status()).as("%s %s: %s", tenant, id, r).isEqualTo(404);
        }
      }
    }
  }

  /** Tenant ids that must never reach Redis, whatever route carries them. */
  private static final List<String> ESCAPES = List.of("a:b", "{x}", "*", "tenant-00}:0", "vsc:t:{tenant-00}",
      "tenant-00:0", "a b", "-lead", ".hidden", "x".repeat(129), "tenant/00", "t\u00e9", "a\nb", "tenant-00*");

  @Test
  void escapingTenantIdsAreRefusedAndTouchNothing() {
    Map<String, String> before = cluster.fingerprint();
    ObjectNode vectorBody = object();
    vectorBody.set("vector", array(new float[DIMS]));
    ObjectNode queryBody = object();
    queryBody.set("vector", array(new float[DIMS]));
    List<String> failures = new ArrayList<>();
    for (String bad : ESCAPES) {
      String seg = segment(bad);
      Map<String, Response> answers = new LinkedHashMap<>();
      answers.put("PUT vector", cluster.put("/v1/tenants/" + seg + "/vectors/x", vectorBody));
      answers.put("GET vector", cluster.get("/v1/tenants/" + seg + "/vectors/x"));
      answers.put("DELETE vector", cluster.delete("/v1/tenants/" + seg + "/vectors/x"));
      ObjectNode batch = object();
      ObjectNode item = batch.putArray("vectors").addObject().put("id", "x");
      item.set("vector", array(new float[DIMS]));
      answers.put("batch", cluster.post("/v1/tenants/" + seg + "/vectors:batch", batch));
      answers.put("query", cluster.post("/v1/tenants/" + seg + "/query", queryBody));
      answers.put("drop", cluster.delete("/v1/tenants/" + seg));
      ObjectNode article = object();
      article.set("query_vector", array(new float[DIMS]));
      article.putObject("filters").put("tenant_id", bad);
      answers.put("article", cluster.post("/v1/query", article));
      ObjectNode search = queryBody.deepCopy();
      search.putArray("tenants").add("tenant-01").add(bad);
      answers.put("search", cluster.post("/v1/search", search));
      ObjectNode multi = object();
      multi.set("query_vector", array(new float[DIMS]));
      multi.putArray("tenants").add(bad);
      answers.put("multi-shard", cluster.post("/v1/query/multi-shard", multi));
      answers.forEach((route, r) -> {
        if (r.status() != 400 || !r.error().contains("tenant id must match")) {
          failures.add(route + " with tenant \"" + bad + "\": " + r);
        }
      });
    }
    assertThat(failures).isEmpty();
    assertThat(cluster.fingerprint()).isEqualTo(before);
  }

  @Test
  void dotSegmentsAndEmptyTenantsInPathsNeverReachATenant() {
    Map<String, String> before = cluster.fingerprint();
    ObjectNode vectorBody = object();
    vectorBody.set("vector", array(new float[DIMS]));
    Map<String, Response> answers = new HashMap<>();
    for (String seg : List.of("..", "%2E%2E", ".", "", "%20")) {
      answers.put("PUT " + seg, cluster.put("/v1/tenants/" + seg + "/vectors/x", vectorBody));
      answers.put("query " + seg, cluster.post("/v1/tenants/" + seg + "/query", vectorBody));
      answers.put("drop " + seg, cluster.delete("/v1/tenants/" + seg));
    }
    answers.forEach((what, r) -> assertThat(r.status()).as("%s: %s", what, r).isBetween(400, 499));
    // In a body, an empty or dot tenant id is a plain validation error.
    for (String bad : List.of("", "..", ".")) {
      ObjectNode article = object();
      article.set("query_vector", array(new float[DIMS]));
      article.putObject("filters").put("tenant_id", bad);
      Response r = cluster.post("/v1/query", article);
      assertThat(r.status()).as("%s", r).isEqualTo(400);
    }
    assertThat(cluster.fingerprint()).isEqualTo(before);
  }

  @Test
  void tenantIdsAtTheLimitWork() {
    String longest = "L" + "x".repeat(127);
    float[] v = RouterCluster.randomVector(random, DIMS);
    cluster.upsert(longest, "only", v, object().put("owner", longest));
    ObjectNode body = object();
    body.set("vector", array(v));
    Response r = cluster.post("/v1/tenants/" + longest + "/query", body);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("results")).hasSize(1);
    assertThat(r.json().get("results").get(0).get("id").asText()).isEqualTo("only");
    assertThat(cluster.delete("/v1/tenants/" + longest).status()).isEqualTo(200);
  }
}
