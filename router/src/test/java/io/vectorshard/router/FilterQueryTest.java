package io.vectorshard.router;

import static io.vectorshard.router.testing.RouterCluster.JSON;
import static io.vectorshard.router.testing.RouterCluster.array;
import static io.vectorshard.router.testing.RouterCluster.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorshard.router.testing.RouterCluster;
import io.vectorshard.router.testing.RouterCluster.Item;
import io.vectorshard.router.testing.RouterCluster.Response;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Structured filters return exactly the elements whose metadata matches (the expectation is
 * computed here from the metadata written), strings holding quotes match only themselves, and
 * nothing in a value can change the expression around it.
 */
class FilterQueryTest {
  private static final int DIMS = 4;
  private static final String TENANT = "f";
  private static RouterCluster cluster;
  /** id -> metadata (null for an element written without any). */
  private static final Map<String, JsonNode> metadata = new LinkedHashMap<>();
  private static final Random random = new Random(17);
  private static final String[] CATS = {"a", "b", "c"};
  private static final String[] TAGS = {"red", "green", "blue"};

  @BeforeAll
  static void start() {
    // Spread over two shards, so every filter runs on two keys on two shards.
    cluster = RouterCluster.builder(2).dimensions(DIMS).spread(TENANT, 2).start();
    for (int i = 0; i < 60; i++) {
      metadata.put("item-" + i, element(i, "item-" + i));
    }
    metadata.put("q-double", element(100, "he said \"hi\""));
    metadata.put("q-inject", element(101, "x\" or 1 == 1 or \""));
    metadata.put("q-single", element(102, "it's"));
    metadata.put("q-single-inject", element(103, "x' or 1 == 1 or '"));
    metadata.put("q-backslash", element(104, "back\\slash"));
    metadata.put("q-two-backslashes", element(105, "ends\\\\"));
    metadata.put("q-empty", element(106, ""));
    metadata.put("partial", object().put("n", 1000));
    metadata.put("bare", null);
    List<Item> items = new ArrayList<>();
    metadata.forEach((id, meta) -> items.add(new Item(id, RouterCluster.randomVector(random, DIMS), meta)));
    cluster.batch(TENANT, items);
    // The other tenant holds look-alikes that must never show up in f's answers.
    List<Item> others = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      others.add(new Item("item-" + i, RouterCluster.randomVector(random, DIMS), element(i, "other")));
    }
    cluster.batch("g", others);
  }

  private static ObjectNode element(int n, String name) {
    ObjectNode meta = object().put("n", n).put("cat", CATS[n % 3]).put("flag", n % 4 == 0).put("price", n * 1.5)
        .put("name", name);
    var tags = meta.putArray("tags");
    for (int b = 0; b < 3; b++) {
      if ((n >> b & 1) == 1) {
        tags.add(TAGS[b]);
      }
    }
    return meta;
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  // ------------------------------------------------------------ the expectation, in Java

  /** Whether metadata matches a structured filter, with Redis' semantics. */
  private static boolean matches(JsonNode filter, JsonNode meta) {
    if (meta == null) {
      return false;
    }
    // Redis fails the whole expression when any field it reads is missing.
    for (String field : fields(filter, new TreeSet<>())) {
      if (!meta.has(field)) {
        return false;
      }
    }
    return eval(filter, meta);
  }

  private static Set<String> fields(JsonNode filter, Set<String> into) {
    for (Iterator<Map.Entry<String, JsonNode>> it = filter.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      switch (e.getKey()) {
        case "$and", "$or" -> e.getValue().forEach(f -> fields(f, into));
        case "$not" -> fields(e.getValue(), into);
        default -> into.add(e.getKey());
      }
    }
    return into;
  }

  private static boolean eval(JsonNode filter, JsonNode meta) {
    for (Iterator<Map.Entry<String, JsonNode>> it = filter.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      boolean ok = switch (e.getKey()) {
        case "$and" -> {
          boolean all = true;
          for (JsonNode f : e.getValue()) {
            all &= eval(f, meta);
          }
          yield all;
        }
        case "$or" -> {
          boolean any = false;
          for (JsonNode f : e.getValue()) {
            any |= eval(f, meta);
          }
          yield any;
        }
        case "$not" -> !eval(e.getValue(), meta);
        default -> condition(meta.get(e.getKey()), e.getValue());
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean condition(JsonNode value, JsonNode condition) {
    if (!condition.isObject()) {
      return same(value, condition);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = condition.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> op = it.next();
      JsonNode arg = op.getValue();
      boolean ok = switch (op.getKey()) {
        case "$eq" -> same(value, arg);
        case "$ne" -> !same(value, arg);
        case "$gt" -> number(value) > arg.asDouble();
        case "$gte" -> number(value) >= arg.asDouble();
        case "$lt" -> number(value) < arg.asDouble();
        case "$lte" -> number(value) <= arg.asDouble();
        case "$in" -> {
          boolean any = false;
          for (JsonNode a : arg) {
            any |= same(value, a);
          }
          yield any;
        }
        case "$nin" -> {
          boolean any = false;
          for (JsonNode a : arg) {
            any |= same(value, a);
          }
          yield !any;
        }
        case "$contains" -> {
          boolean any = false;
          if (value.isArray()) {
            for (JsonNode v : value) {
              any |= same(v, arg);
            }
          }
          yield any;
        }
        default -> throw new IllegalArgumentException(op.getKey());
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** JSON booleans read as 1/0 in Redis filters. */
  private static double number(JsonNode v) {
    return v.isBoolean() ? (v.booleanValue() ? 1 : 0) : v.asDouble();
  }

  private static boolean same(JsonNode a, JsonNode b) {
    if (a.isTextual() || b.isTextual()) {
      return a.isTextual() && b.isTextual() && a.textValue().equals(b.textValue());
    }
    return number(a) == number(b);
  }

  private static Set<String> expected(Predicate<JsonNode> predicate) {
    Set<String> ids = new TreeSet<>();
    metadata.forEach((id, meta) -> {
      if (predicate.test(meta)) {
        ids.add(id);
      }
    });
    return ids;
  }

  // ------------------------------------------------------------ queries

  private static Set<String> query(String filterField, JsonNode filter) {
    ObjectNode body = object().put("topK", 200).put("ef", 1000);
    body.set("vector", array(RouterCluster.randomVector(random, DIMS)));
    body.set(filterField, filter);
    Response r = cluster.post("/v1/tenants/" + TENANT + "/query", body);
    assertThat(r.status()).as("%s with %s", r, filter).isEqualTo(200);
    Set<String> ids = new TreeSet<>();
    for (JsonNode hit : r.json().get("results")) {
      ids.add(hit.get("id").asText());
      // The metadata returned is the element's own.
      JsonNode written = metadata.get(hit.get("id").asText());
      assertThat(hit.get("metadata")).isEqualTo(written == null ? object() : written);
    }
    return ids;
  }

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(s, e);
    }
  }

  private static void assertFilter(String filter) {
    JsonNode node = json(filter);
    Set<String> expected = expected(meta -> matches(node, meta));
    assertThat(query("filter", node)).as("filter %s", filter).isEqualTo(expected);
  }

  @Test
  void everyOperatorSelectsExactlyTheMatchingElements() {
    List<String> filters = List.of(
        "{\"cat\": \"a\"}",
        "{\"cat\": {\"$eq\": \"b\"}}",
        "{\"cat\": {\"$ne\": \"a\"}}",
        "{\"n\": 7}",
        "{\"n\": {\"$gt\": 10}}",
        "{\"n\": {\"$gte\": 10}}",
        "{\"n\": {\"$lt\": 5}}",
        "{\"n\": {\"$lte\": 5}}",
        "{\"n\": {\"$gt\": 10, \"$lte\": 20}}",
        "{\"price\": {\"$gte\": 30.5}}",
        "{\"price\": {\"$lt\": 4.5}}",
        "{\"n\": {\"$gt\": -1}}",
        "{\"cat\": {\"$in\": [\"a\", \"c\"]}}",
        "{\"n\": {\"$in\": [1, 2, 3, 1000]}}",
        "{\"cat\": {\"$nin\": [\"a\", \"c\"]}}",
        "{\"tags\": {\"$contains\": \"red\"}}",
        "{\"tags\": {\"$contains\": \"purple\"}}",
        "{\"flag\": true}",
        "{\"flag\": false}",
        "{\"cat\": \"a\", \"flag\": true}",
        "{\"$or\": [{\"cat\": \"a\"}, {\"n\": {\"$lt\": 3}}]}",
        "{\"$and\": [{\"flag\": true}, {\"tags\": {\"$contains\": \"blue\"}}]}",
        "{\"$not\": {\"cat\": \"b\"}}",
        "{\"$not\": {\"$or\": [{\"cat\": \"b\"}, {\"tags\": {\"$contains\": \"green\"}}]}}",
        "{\"$or\": [{\"$and\": [{\"cat\": \"c\"}, {\"n\": {\"$gt\": 30}}]}, {\"name\": \"item-3\"}]}",
        "{\"n\": {\"$gte\": 1000}}",
        "{\"name\": \"\"}",
        "{\"cat\": \"zzz\"}");
    for (String filter : filters) {
      assertFilter(filter);
    }
    // Sanity of the data: filters above select neither nothing nor everything, as a rule.
    assertThat(expected(meta -> matches(json("{\"cat\": \"a\"}"), meta))).hasSizeBetween(15, 40);
    assertThat(expected(meta -> matches(json("{\"n\": {\"$gte\": 1000}}"), meta))).containsExactly("partial");
  }

  @Test
  void randomFiltersAgreeWithTheModel() {
    Random r = new Random(5);
    for (int round = 0; round < 40; round++) {
      List<String> terms = new ArrayList<>();
      int count = 1 + r.nextInt(3);
      for (int i = 0; i < count; i++) {
        terms.add(switch (r.nextInt(6)) {
          case 0 -> "{\"n\": {\"$gt\": " + r.nextInt(70) + "}}";
          case 1 -> "{\"cat\": \"" + CATS[r.nextInt(3)] + "\"}";
          case 2 -> "{\"tags\": {\"$contains\": \"" + TAGS[r.nextInt(3)] + "\"}}";
          case 3 -> "{\"flag\": " + r.nextBoolean() + "}";
          case 4 -> "{\"price\": {\"$lte\": " + (r.nextInt(1000) / 10.0) + "}}";
          default -> "{\"$not\": {\"cat\": {\"$in\": [\"" + CATS[r.nextInt(3)] + "\", \"" + CATS[r.nextInt(3)] + "\"]}}}";
        });
      }
      String op = r.nextBoolean() ? "$and" : "$or";
      assertFilter("{\"" + op + "\": [" + String.join(", ", terms) + "]}");
    }
  }

  @Test
  void stringsHoldingQuotesMatchOnlyThemselves() {
    assertThat(query("filter", json("{\"name\": \"he said \\\"hi\\\"\"}"))).containsExactly("q-double");
    // An injection attempt is just a string: it matches the one element holding exactly it.
    assertThat(query("filter", json("{\"name\": \"x\\\" or 1 == 1 or \\\"\"}"))).containsExactly("q-inject");
    assertThat(query("filter", json("{\"name\": \"x' or 1 == 1 or '\"}"))).containsExactly("q-single-inject");
    assertThat(query("filter", json("{\"name\": \"y\\\" or 1 == 1 or \\\"\"}"))).isEmpty();
    assertThat(query("filter", json("{\"name\": {\"$ne\": \"x\\\" or 1 == 1 or \\\"\"}}")))
        .isEqualTo(expected(meta -> meta != null && meta.has("name") && !meta.get("name").asText().equals("x\" or 1 == 1 or \"")));
    assertThat(query("filter", json("{\"name\": \"it's\"}"))).containsExactly("q-single");
    assertThat(query("filter", json("{\"$or\": [{\"name\": \"x\\\" or 1 == 1 or \\\"\"}, {\"name\": \"nothing\"}]}")))
        .containsExactly("q-inject");
    assertThat(query("filter", json("{\"tags\": {\"$contains\": \"red\\\" in .tags or \\\"\"}}"))).isEmpty();
    // Backslashes are plain characters inside the literal.
    assertThat(query("filter", json("{\"name\": \"back\\\\slash\"}"))).containsExactly("q-backslash");
    assertThat(query("filter", json("{\"name\": \"ends\\\\\\\\\"}"))).containsExactly("q-two-backslashes");
  }

  @Test
  void aTrailingBackslashCannotSwallowTheClosingQuote() {
    // Before the translator refused this, the value's backslash escaped its closing quote and the
    // rest of the expression was parsed as part of the string.
    ObjectNode body = object();
    body.set("vector", array(RouterCluster.randomVector(random, DIMS)));
    body.set("filter", json("{\"name\": \"x\\\\\", \"cat\": \" or 1 == 1 or \"}"));
    Response r = cluster.post("/v1/tenants/" + TENANT + "/query", body);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).contains("backslashes").doesNotContain("ERR");
  }

  @Test
  void rawExpressionsAreRedisFilters() {
    Set<String> got = query("filterExpression", JSON.getNodeFactory().textNode(".n > 50 and .cat == \"c\""));
    assertThat(got).isEqualTo(expected(meta -> matches(json("{\"n\": {\"$gt\": 50}, \"cat\": \"c\"}"), meta)));
    Set<String> arithmetic = query("filterExpression", JSON.getNodeFactory().textNode(".n * 2 == .price / 0.75"));
    // price = 1.5 n, so every complete element matches (and only those: partial has no price).
    assertThat(arithmetic).isEqualTo(expected(meta -> meta != null && meta.has("price")));
  }

  @Test
  void articleFiltersAreEqualitiesBesideTheTenant() {
    ObjectNode body = object().put("top_k", 200).put("ef", 1000);
    body.set("query_vector", array(RouterCluster.randomVector(random, DIMS)));
    body.putObject("filters").put("tenant_id", TENANT).put("cat", "b").put("flag", true);
    Response r = cluster.post("/v1/query", body);
    assertThat(r.status()).isEqualTo(200);
    Set<String> ids = new TreeSet<>();
    r.json().forEach(hit -> {
      assertThat(hit.get("tenant").asText()).isEqualTo(TENANT);
      ids.add(hit.get("id").asText());
    });
    assertThat(ids).isEqualTo(expected(meta -> matches(json("{\"cat\": \"b\", \"flag\": true}"), meta)));
    assertThat(ids).isNotEmpty();
  }

  @Test
  void scatterQueriesApplyTheFilterOnEveryShard() {
    ObjectNode body = object().put("topK", 500).put("ef", 1000);
    body.set("vector", array(RouterCluster.randomVector(random, DIMS)));
    body.putArray("tenants").add(TENANT).add("g");
    body.set("filter", json("{\"n\": {\"$lt\": 10}, \"cat\": \"a\"}"));
    Response r = cluster.post("/v1/search", body);
    assertThat(r.status()).isEqualTo(200);
    Set<String> got = new HashSet<>();
    r.json().get("results").forEach(hit -> got.add(hit.get("tenant").asText() + "/" + hit.get("id").asText()));
    Set<String> want = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      if (i % 3 == 0) {
        want.add(TENANT + "/item-" + i);
        want.add("g/item-" + i);
      }
    }
    assertThat(got).isEqualTo(want);
  }

  @Test
  void withMetadataFalseLeavesMetadataOut() {
    ObjectNode body = object().put("topK", 3).put("withMetadata", false);
    body.set("vector", array(RouterCluster.randomVector(random, DIMS)));
    Response r = cluster.post("/v1/tenants/" + TENANT + "/query", body);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("results")).hasSize(3);
    r.json().get("results").forEach(hit -> assertThat(hit.get("metadata")).isEqualTo(object()));
  }
}
