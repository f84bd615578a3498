package io.vectorshard.router;

import static io.vectorshard.router.testing.RouterCluster.array;
import static io.vectorshard.router.testing.RouterCluster.object;
import static io.vectorshard.router.testing.RouterCluster.segment;
import static io.vectorshard.router.testing.RouterCluster.toJson;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorshard.router.testing.RouterCluster;
import io.vectorshard.router.testing.RouterCluster.Item;
import io.vectorshard.router.testing.RouterCluster.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Contract 6: every bad input gets a 4xx with a message that says what is wrong, and changes
 * nothing on any shard (the complete content of every shard is compared before and after).
 */
class BadInputTest {
  private static final int DIMS = 4;
  private static final String VECTOR = "[0.1, 0.2, 0.3, 0.4]";
  private static final String UPSERT = "/v1/tenants/t/vectors/x";
  private static final String QUERY = "/v1/tenants/t/query";
  private static RouterCluster cluster;
  private static final Random random = new Random(3);

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(2).dimensions(DIMS).spread("wide", 2).start();
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      items.add(new Item("e" + i, RouterCluster.randomVector(random, DIMS), object().put("n", i).put("cat", "a")));
    }
    cluster.batch("t", items);
    cluster.batch("wide", items);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** One bad request and what it must get. */
  private record Case(String name, String method, String path, String body, int status, String message) {}

  private static Case c(String name, String method, String path, String body, String message) {
    return new Case(name, method, path, body, 400, message);
  }

  /** Sends every case, checking status, message and that no shard changed; reports all failures. */
  private static void assertRefused(List<Case> cases) {
    List<String> failures = new ArrayList<>();
    for (Case k : cases) {
      Map<String, String> before = cluster.fingerprint();
      Response r = cluster.send(k.method(), k.path(), k.body());
      if (r.status() != k.status()) {
        failures.add(k.name() + ": expected " + k.status() + " but got " + r);
      } else if (r.json() == null || r.json().get("status").asInt() != k.status()) {
        failures.add(k.name() + ": error answer is not the JSON envelope: " + r);
      } else if (!r.error().contains(k.message())) {
        failures.add(k.name() + ": message \"" + r.error() + "\" does not mention \"" + k.message() + "\"");
      }
      if (!cluster.fingerprint().equals(before)) {
        failures.add(k.name() + ": a shard changed");
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void malformedBodies() {
    assertRefused(List.of(
        c("unterminated object", "PUT", UPSERT, "{\"vector\": " + VECTOR, "malformed JSON"),
        c("trailing garbage", "PUT", UPSERT, "{\"vector\": " + VECTOR + "} xyz", "malformed JSON"),
        c("two objects", "PUT", UPSERT, "{\"vector\": " + VECTOR + "}{}", "malformed JSON"),
        c("single quotes", "PUT", UPSERT, "{'vector': " + VECTOR + "}", "malformed JSON"),
        c("comment", "PUT", UPSERT, "{\"vector\": " + VECTOR + " /* c */}", "malformed JSON"),
        c("array body", "PUT", UPSERT, VECTOR, "must be a JSON object"),
        c("string body", "PUT", UPSERT, "\"abc\"", "must be a JSON object"),
        c("number body", "POST", QUERY, "42", "must be a JSON object"),
        c("null body", "POST", "/v1/search", "null", "must be a JSON object"),
        c("empty body", "PUT", UPSERT, "", "request body is empty"),
        c("blank body", "POST", "/v1/query", "   ", "JSON object"),
        c("too deeply nested", "POST", QUERY, "{\"vector\": " + VECTOR + ", \"filter\": "
            + "{\"$not\": ".repeat(70) + "{\"a\": 1}" + "}".repeat(70) + "}", "malformed JSON"),
        c("batch body not an object", "POST", "/v1/tenants/t/vectors:batch", "[]", "must be a JSON object")));
  }

  /** A key given twice would otherwise be read as its last value: refused wherever it occurs. */
  @Test
  void duplicateKeys() {
    String v = "\"vector\": " + VECTOR;
    assertRefused(List.of(
        c("top-level key twice", "POST", QUERY, "{" + v + ", \"topK\": 1, \"topK\": 100}", "Duplicate"),
        c("vector twice", "PUT", UPSERT, "{" + v + ", " + v + "}", "Duplicate"),
        c("filter key twice", "POST", QUERY, "{" + v + ", \"filter\": {\"cat\": \"a\", \"cat\": \"b\"}}",
            "Duplicate"),
        c("metadata key twice", "PUT", UPSERT, "{" + v + ", \"metadata\": {\"n\": 1, \"n\": 2}}", "Duplicate"),
        c("batch item key twice", "POST", "/v1/tenants/t/vectors:batch",
            "{\"vectors\": [{\"id\": \"a\", \"id\": \"b\", " + v + "}]}", "Duplicate"),
        c("article filters key twice", "POST", "/v1/query", "{\"query_vector\": " + VECTOR
            + ", \"filters\": {\"tenant_id\": \"t\", \"tenant_id\": \"wide\"}}", "Duplicate")));
  }

  @Test
  void badVectors() {
    assertRefused(List.of(
        c("too few dimensions", "PUT", UPSERT, "{\"vector\": [1, 2, 3]}", "has 3 dimensions but this cluster's vectors have 4"),
        c("too many dimensions", "PUT", UPSERT, "{\"vector\": [1, 2, 3, 4, 5]}", "has 5 dimensions"),
        c("empty vector", "PUT", UPSERT, "{\"vector\": []}", "has 0 dimensions"),
        c("string element", "PUT", UPSERT, "{\"vector\": [1, \"2\", 3, 4]}", "vector[1] is not a number"),
        c("null element", "PUT", UPSERT, "{\"vector\": [1, 2, null, 4]}", "vector[2] is not a number"),
        c("boolean element", "PUT", UPSERT, "{\"vector\": [true, 2, 3, 4]}", "vector[0] is not a number"),
        c("nested array", "PUT", UPSERT, "{\"vector\": [[1], 2, 3, 4]}", "vector[0] is not a number"),
        c("float overflow", "PUT", UPSERT, "{\"vector\": [1, 2, 1e39, 4]}", "vector[2] is not a finite float32"),
        c("negative overflow", "PUT", UPSERT, "{\"vector\": [-1e39, 2, 3, 4]}", "vector[0] is not a finite float32"),
        c("double overflow", "PUT", UPSERT, "{\"vector\": [1, 2, 3, 1e400]}", "vector[3]"),
        c("NaN token", "PUT", UPSERT, "{\"vector\": [1, NaN, 3, 4]}", "malformed JSON"),
        c("Infinity token", "PUT", UPSERT, "{\"vector\": [1, 2, Infinity, 4]}", "malformed JSON"),
        c("-Infinity token", "PUT", UPSERT, "{\"vector\": [1, 2, -Infinity, 4]}", "malformed JSON"),
        c("missing vector", "PUT", UPSERT, "{}", "vector is required"),
        c("metadata but no vector", "PUT", UPSERT, "{\"metadata\": {\"a\": 1}}", "vector is required"),
        c("null vector", "PUT", UPSERT, "{\"vector\": null}", "vector is required"),
        c("vector as string", "PUT", UPSERT, "{\"vector\": \"1,2,3,4\"}", "vector must be an array"),
        c("query vector wrong size", "POST", QUERY, "{\"vector\": [1, 2]}", "has 2 dimensions"),
        c("query vector overflow", "POST", QUERY, "{\"vector\": [1, 2, 3, 3.5e38]}", "not a finite float32"),
        c("article query_vector missing", "POST", "/v1/query", "{\"filters\": {\"tenant_id\": \"t\"}}",
            "query_vector is required"),
        c("search vector missing", "POST", "/v1/search", "{\"topK\": 3}", "vector is required")));
  }

  @Test
  void badIds() {
    String body = "{\"vector\": " + VECTOR + "}";
    List<Case> cases = new ArrayList<>(List.of(
        c("513-byte id", "PUT", "/v1/tenants/t/vectors/" + "x".repeat(513), body, "at most 512 bytes"),
        c("514-byte id of 257 chars", "PUT", "/v1/tenants/t/vectors/" + segment("\u00e9".repeat(257)), body,
            "at most 512 bytes"),
        c("control character in id", "PUT", "/v1/tenants/t/vectors/a%01b", body, "control characters"),
        c("GET oversized id", "GET", "/v1/tenants/t/vectors/" + "x".repeat(513), null, "at most 512 bytes"),
        c("DELETE oversized id", "DELETE", "/v1/tenants/t/vectors/" + "x".repeat(513), null, "at most 512 bytes"),
        c("batch empty id", "POST", "/v1/tenants/t/vectors:batch",
            "{\"vectors\": [{\"id\": \"\", \"vector\": " + VECTOR + "}]}", "vectors[0]: vector id must not be empty"),
        c("dot-dot id", "PUT", "/v1/tenants/t/vectors/%2E%2E", body, "must not be \".\" or \"..\""),
        c("batch dot id", "POST", "/v1/tenants/t/vectors:batch",
            "{\"vectors\": [{\"id\": \".\", \"vector\": " + VECTOR + "}]}", "vectors[0]: vector id must not be \".\""),
        c("batch missing id", "POST", "/v1/tenants/t/vectors:batch",
            "{\"vectors\": [{\"vector\": " + VECTOR + "}]}", "vectors[0]: vector id must not be empty"),
        c("batch numeric id", "POST", "/v1/tenants/t/vectors:batch",
            "{\"vectors\": [{\"id\": 7, \"vector\": " + VECTOR + "}]}", "id must be a string"),
        c("batch oversized id", "POST", "/v1/tenants/t/vectors:batch",
            "{\"vectors\": [{\"id\": \"" + "y".repeat(513) + "\", \"vector\": " + VECTOR + "}]}", "at most 512 bytes"),
        // A JSON escape can name half a surrogate pair; stored, it would become "e?" like another id.
        c("batch id with a lone surrogate", "POST", "/v1/tenants/t/vectors:batch",
            "{\"vectors\": [{\"id\": \"e\\ud800\", \"vector\": " + VECTOR + "}]}",
            "vectors[0]: vector id must be valid Unicode")));
    assertRefused(cases);
    // The empty id has no route of its own: any 4xx, nothing written.
    var before = cluster.fingerprint();
    for (String path : List.of("/v1/tenants/t/vectors/", "/v1/tenants/t/vectors")) {
      Response r = cluster.send("PUT", path, body);
      assertThat(r.status()).as("PUT %s: %s", path, r).isBetween(400, 499);
    }
    assertThat(cluster.fingerprint()).isEqualTo(before);
    // 512 bytes is allowed.
    String longest = "z".repeat(512);
    assertThat(cluster.send("PUT", "/v1/tenants/t/vectors/" + longest, body).status()).isEqualTo(201);
    assertThat(cluster.get("/v1/tenants/t/vectors/" + longest).status()).isEqualTo(200);
    assertThat(cluster.delete("/v1/tenants/t/vectors/" + longest).json().get("deleted").asBoolean()).isTrue();
  }

  @Test
  void outOfRangeNumbers() {
    String v = "\"vector\": " + VECTOR;
    String qv = "\"query_vector\": " + VECTOR + ", \"filters\": {\"tenant_id\": \"t\"}";
    assertRefused(List.of(
        c("topK 0", "POST", QUERY, "{" + v + ", \"topK\": 0}", "topK must be an integer in 1..1000"),
        c("topK negative", "POST", QUERY, "{" + v + ", \"topK\": -5}", "topK must be an integer in 1..1000"),
        c("topK above max", "POST", QUERY, "{" + v + ", \"topK\": 1001}", "topK must be an integer in 1..1000"),
        c("topK huge", "POST", QUERY, "{" + v + ", \"topK\": 99999999999999}", "topK must be an integer"),
        c("topK fraction", "POST", QUERY, "{" + v + ", \"topK\": 2.5}", "topK must be an integer"),
        c("topK string", "POST", QUERY, "{" + v + ", \"topK\": \"10\"}", "topK must be an integer"),
        c("top_k 0", "POST", "/v1/query", "{" + qv + ", \"top_k\": 0}", "top_k must be an integer in 1..1000"),
        c("top_k above max", "POST", "/v1/query", "{" + qv + ", \"top_k\": 1001}", "top_k must be an integer"),
        c("search topK above max", "POST", "/v1/search", "{" + v + ", \"topK\": 5000}", "topK must be an integer"),
        c("ef 0", "POST", QUERY, "{" + v + ", \"ef\": 0}", "ef must be an integer in 1..10000"),
        c("ef above max", "POST", QUERY, "{" + v + ", \"ef\": 10001}", "ef must be an integer in 1..10000"),
        c("article ef", "POST", "/v1/query", "{" + qv + ", \"ef\": -1}", "ef must be an integer"),
        c("timeoutMs 0", "POST", "/v1/search", "{" + v + ", \"timeoutMs\": 0}", "timeoutMs must be an integer in 1..60000"),
        c("timeoutMs above max", "POST", "/v1/search", "{" + v + ", \"timeoutMs\": 60001}", "timeoutMs must be an integer"),
        c("multi-shard timeoutMs", "POST", "/v1/query/multi-shard",
            "{\"query_vector\": " + VECTOR + ", \"timeoutMs\": 100000}", "timeoutMs must be an integer"),
        c("merge unknown", "POST", "/v1/search", "{" + v + ", \"merge\": \"max\"}", "merge must be \"score\" or \"rrf\""),
        c("merge not a string", "POST", "/v1/query/multi-shard", "{\"query_vector\": " + VECTOR + ", \"merge\": 1}",
            "merge must be a string"),
        c("allowPartial not boolean", "POST", "/v1/search", "{" + v + ", \"allowPartial\": \"yes\"}",
            "allowPartial must be true or false"),
        c("withMetadata not boolean", "POST", QUERY, "{" + v + ", \"withMetadata\": 1}", "withMetadata must be true or false"),
        c("tenants empty", "POST", "/v1/search", "{" + v + ", \"tenants\": []}", "tenants must be a non-empty array"),
        c("tenants not array", "POST", "/v1/search", "{" + v + ", \"tenants\": \"t\"}", "tenants must be a non-empty array"),
        c("tenants of numbers", "POST", "/v1/search", "{" + v + ", \"tenants\": [1]}", "tenants must hold strings")));
  }

  @Test
  void badFilters() {
    String v = "\"vector\": " + VECTOR;
    assertRefused(List.of(
        c("unknown operator", "POST", QUERY, "{" + v + ", \"filter\": {\"n\": {\"$regex\": \"a\"}}}", "unknown operator $regex"),
        c("unknown combinator", "POST", QUERY, "{" + v + ", \"filter\": {\"$xor\": []}}", "unknown filter operator $xor"),
        c("nested too deep", "POST", QUERY, "{" + v + ", \"filter\": " + "{\"$not\": ".repeat(9) + "{\"n\": 1}"
            + "}".repeat(9) + "}", "nests deeper than 8"),
        c("both quote kinds", "POST", QUERY, "{" + v + ", \"filter\": {\"cat\": \"a'b\\\"c\"}}", "not both"),
        c("trailing backslash", "POST", QUERY, "{" + v + ", \"filter\": {\"cat\": \"a\\\\\"}}", "backslashes"),
        c("filter not an object", "POST", QUERY, "{" + v + ", \"filter\": \"n == 1\"}", "filter must be a JSON object"),
        c("filter an array", "POST", "/v1/search", "{" + v + ", \"filter\": [{\"n\": 1}]}", "filter must be a JSON object"),
        c("bad field name", "POST", QUERY, "{" + v + ", \"filter\": {\"a.b\": 1}}", "filter field must match"),
        c("injection in field name", "POST", QUERY, "{" + v + ", \"filter\": {\"n == 1 or 1\": 1}}", "filter field must match"),
        c("null value", "POST", QUERY, "{" + v + ", \"filter\": {\"n\": null}}", "filter values must be"),
        c("$gt on a string", "POST", QUERY, "{" + v + ", \"filter\": {\"n\": {\"$gt\": \"1\"}}}", "$gt takes a number"),
        c("$in empty", "POST", QUERY, "{" + v + ", \"filter\": {\"n\": {\"$in\": []}}}", "non-empty array"),
        c("filter and expression", "POST", QUERY, "{" + v + ", \"filter\": {\"n\": 1}, \"filterExpression\": \".n == 1\"}",
            "not both"),
        c("expression syntax error", "POST", QUERY, "{" + v + ", \"filterExpression\": \".n >>> (\"}", "invalid filter"),
        c("expression unterminated string", "POST", QUERY, "{" + v + ", \"filterExpression\": \".cat == \\\"a\"}",
            "invalid filter"),
        c("expression syntax error on spread tenant", "POST", "/v1/tenants/wide/query",
            "{" + v + ", \"filterExpression\": \"((.n\"}", "invalid filter"),
        c("expression syntax error in scatter", "POST", "/v1/search", "{" + v + ", \"filterExpression\": \"and and\"}",
            "invalid filter"),
        c("expression too long", "POST", QUERY, "{" + v + ", \"filterExpression\": \"" + ".n == 1 or ".repeat(500)
            + ".n == 1\"}", "over the bound of 1024 (VSC_ROUTER_MAX_FILTER_LENGTH)"),
        c("expression not a string", "POST", QUERY, "{" + v + ", \"filterExpression\": 1}", "filterExpression must be a string"),
        // What one search may cost a shard (QueryLimits): Redis cannot cancel a search once sent.
        c("topK x ef over the bound", "POST", QUERY, "{" + v + ", \"topK\": 1000, \"ef\": 10000}",
            "topK x ef is 10000000, over the bound of 1000000 (VSC_ROUTER_MAX_SEARCH_COST)"),
        c("topK x ef over the bound in scatter", "POST", "/v1/search", "{" + v + ", \"topK\": 500, \"ef\": 5000}",
            "VSC_ROUTER_MAX_SEARCH_COST"),
        c("ef over its bound", "POST", QUERY, "{" + v + ", \"ef\": 10001}", "ef must be an integer in 1..10000"),
        c("filterEf x filter length over the bound", "POST", QUERY, "{" + v + ", \"filterExpression\": \"" + ".n == 1 or ".repeat(9)
            + ".n == 1\", \"filterEf\": 10000}", "over the bound of 128000 (VSC_ROUTER_MAX_FILTER_WORK)"),
        c("filterEf without a filter", "POST", QUERY, "{" + v + ", \"filterEf\": 100}", "filterEf needs a filter"),
        c("filterEf zero", "POST", QUERY, "{" + v + ", \"filterExpression\": \".n == 1\", \"filterEf\": 0}",
            "filterEf must be an integer in 1.."),
        c("article filter bad operator", "POST", "/v1/query", "{\"query_vector\": " + VECTOR
            + ", \"filters\": {\"tenant_id\": \"t\", \"n\": {\"$near\": 1}}}", "unknown operator $near"),
        c("article filter bad value", "POST", "/v1/query", "{\"query_vector\": " + VECTOR
            + ", \"filters\": {\"tenant_id\": \"t\", \"n\": [1, 2]}}", "filter values must be")));
  }

  @Test
  void unknownFields() {
    assertRefused(List.of(
        c("upsert typo", "PUT", UPSERT, "{\"vector\": " + VECTOR + ", \"meta\": {}}", "unknown field \"meta\""),
        c("query typo", "POST", QUERY, "{\"vector\": " + VECTOR + ", \"topk\": 3}", "unknown field \"topk\""),
        c("tenant query with scatter field", "POST", QUERY, "{\"vector\": " + VECTOR + ", \"tenants\": [\"t\"]}",
            "unknown field \"tenants\""),
        c("article field on native route", "POST", "/v1/search", "{\"query_vector\": " + VECTOR + "}",
            "unknown field \"query_vector\""),
        c("native field on article route", "POST", "/v1/query", "{\"vector\": " + VECTOR
            + ", \"filters\": {\"tenant_id\": \"t\"}}", "unknown field \"vector\""),
        c("batch top-level typo", "POST", "/v1/tenants/t/vectors:batch", "{\"vector\": []}", "unknown field \"vector\""),
        c("batch item typo", "POST", "/v1/tenants/t/vectors:batch",
            "{\"vectors\": [{\"id\": \"n1\", \"vector\": " + VECTOR + ", \"metdata\": {}}]}",
            "vectors[0]: unknown field \"metdata\"")));
  }

  @Test
  void badMetadata() {
    String big = "x".repeat(70_000);
    assertRefused(List.of(
        c("metadata array", "PUT", UPSERT, "{\"vector\": " + VECTOR + ", \"metadata\": [1]}", "metadata must be a JSON object"),
        c("metadata string", "PUT", UPSERT, "{\"vector\": " + VECTOR + ", \"metadata\": \"{}\"}", "metadata must be a JSON object"),
        c("metadata number", "PUT", UPSERT, "{\"vector\": " + VECTOR + ", \"metadata\": 5}", "metadata must be a JSON object"),
        c("metadata over 64 KiB", "PUT", UPSERT, "{\"vector\": " + VECTOR + ", \"metadata\": {\"blob\": \"" + big + "\"}}",
            "the limit is 65536"),
        c("batch metadata over 64 KiB", "POST", "/v1/tenants/t/vectors:batch", "{\"vectors\": [{\"id\": \"m\", \"vector\": "
            + VECTOR + ", \"metadata\": {\"blob\": \"" + big + "\"}}]}", "vectors[0]: metadata is")));
  }

  @Test
  void badBatches() {
    ObjectNode tooMany = object();
    ArrayNode vectors = tooMany.putArray("vectors");
    for (int i = 0; i < 1001; i++) {
      vectors.addObject().put("id", "big-" + i).set("vector", array(RouterCluster.randomVector(random, DIMS)));
    }
    // Nine good items and one bad one: nothing of the batch may be written.
    ObjectNode oneBad = object();
    ArrayNode items = oneBad.putArray("vectors");
    for (int i = 0; i < 10; i++) {
      ObjectNode item = items.addObject().put("id", "fresh-" + i);
      item.set("vector", array(RouterCluster.randomVector(random, i == 7 ? DIMS + 1 : DIMS)));
    }
    ObjectNode oneNaN = oneBad.deepCopy();
    ((ObjectNode) oneNaN.get("vectors").get(7)).set("vector", array(new float[] {1, 2, 3, 4}));
    String oneOverflow = toJson(oneNaN).replace("[1.0,2.0,3.0,4.0]", "[1.0,2.0,3.0,4e39]");
    ObjectNode duplicate = object();
    ArrayNode dupItems = duplicate.putArray("vectors");
    for (String id : List.of("d1", "d2", "d1")) {
      dupItems.addObject().put("id", id).set("vector", array(RouterCluster.randomVector(random, DIMS)));
    }
    ObjectNode notObjects = object();
    notObjects.putArray("vectors").add(1).add(2);
    String path = "/v1/tenants/t/vectors:batch";
    assertRefused(List.of(
        c("1001 vectors", "POST", path, toJson(tooMany), "batch holds 1001 vectors; the limit is 1000"),
        c("one item of wrong dimension", "POST", path, toJson(oneBad), "vectors[7]: vector has 5 dimensions"),
        c("one item overflowing", "POST", path, oneOverflow, "vectors[7]: vector[3] is not a finite float32"),
        c("duplicate id", "POST", path, toJson(duplicate), "vectors[2]: id \"d1\" appears twice in the batch"),
        c("items not objects", "POST", path, toJson(notObjects), "vectors[0]: must be an object"),
        c("empty batch", "POST", path, "{\"vectors\": []}", "vectors is required"),
        c("no vectors field", "POST", path, "{}", "vectors is required"),
        c("vectors not an array", "POST", path, "{\"vectors\": {\"id\": \"a\"}}", "vectors is required"),
        c("spread tenant batch with one bad item", "POST", "/v1/tenants/wide/vectors:batch", toJson(oneBad),
            "vectors[7]")));
    // The good ids of the refused batches do not exist.
    for (int i = 0; i < 10; i++) {
      assertThat(cluster.get("/v1/tenants/t/vectors/fresh-" + i).status()).isEqualTo(404);
    }
    assertThat(cluster.get("/v1/tenants/t/vectors/big-0").status()).isEqualTo(404);
    // Exactly at the limit is fine.
    vectors.remove(1000);
    Response atLimit = cluster.post(path.replace("/t/", "/limit/"), tooMany);
    assertThat(atLimit.status()).as("%s", atLimit).isEqualTo(200);
    assertThat(atLimit.json().get("upserted").asInt()).isEqualTo(1000);
    assertThat(cluster.delete("/v1/tenants/limit").status()).isEqualTo(200);
  }

  @Test
  void articleQueryWithoutTenantIdIsRefusedWithTheArticlesMessage() {
    String message = "'tenant_id' is a required string field in the filters.";
    String qv = "\"query_vector\": " + VECTOR;
    assertRefused(List.of(
        c("no filters", "POST", "/v1/query", "{" + qv + "}", message),
        c("empty filters", "POST", "/v1/query", "{" + qv + ", \"filters\": {}}", message),
        c("other filters only", "POST", "/v1/query", "{" + qv + ", \"filters\": {\"cat\": \"a\"}}", message),
        c("numeric tenant_id", "POST", "/v1/query", "{" + qv + ", \"filters\": {\"tenant_id\": 5}}", message),
        c("null tenant_id", "POST", "/v1/query", "{" + qv + ", \"filters\": {\"tenant_id\": null}}", message),
        c("empty tenant_id", "POST", "/v1/query", "{" + qv + ", \"filters\": {\"tenant_id\": \"\"}}", message),
        c("filters not an object", "POST", "/v1/query", "{" + qv + ", \"filters\": [\"t\"]}", message)));
  }

  @Test
  void unknownTenantsReadAsEmptyAndUnknownIdsAsNotFound() {
    Map<String, String> before = cluster.fingerprint();
    ObjectNode query = object();
    query.set("vector", array(RouterCluster.randomVector(random, DIMS)));
    Response tenant = cluster.post("/v1/tenants/nobody/query", query);
    assertThat(tenant.status()).isEqualTo(200);
    assertThat(tenant.json().get("results")).isEmpty();

    ObjectNode article = object();
    article.set("query_vector", array(RouterCluster.randomVector(random, DIMS)));
    article.putObject("filters").put("tenant_id", "nobody").put("cat", "a");
    Response articleAnswer = cluster.post("/v1/query", article);
    assertThat(articleAnswer.status()).isEqualTo(200);
    assertThat(articleAnswer.json().isArray()).isTrue();
    assertThat(articleAnswer.json()).isEmpty();

    ObjectNode search = query.deepCopy();
    search.putArray("tenants").add("nobody").add("nobody-else");
    Response scatter = cluster.post("/v1/search", search);
    assertThat(scatter.status()).isEqualTo(200);
    assertThat(scatter.json().get("results")).isEmpty();
    assertThat(scatter.json().get("partial").asBoolean()).isFalse();

    Response filtered = cluster.post("/v1/tenants/nobody/query", query.deepCopy().put("filterExpression", ".n > 1"));
    assertThat(filtered.status()).isEqualTo(200);
    assertThat(filtered.json().get("results")).isEmpty();

    Response missingTenant = cluster.get("/v1/tenants/nobody/vectors/e1");
    assertThat(missingTenant.status()).isEqualTo(404);
    assertThat(missingTenant.error()).contains("e1").contains("nobody");
    Response missingId = cluster.get("/v1/tenants/t/vectors/no-such-id");
    assertThat(missingId.status()).isEqualTo(404);
    assertThat(missingId.error()).contains("no-such-id");
    Response deleteMissing = cluster.delete("/v1/tenants/nobody/vectors/e1");
    assertThat(deleteMissing.status()).isEqualTo(200);
    assertThat(deleteMissing.json().get("deleted").asBoolean()).isFalse();
    Response dropMissing = cluster.delete("/v1/tenants/nobody");
    assertThat(dropMissing.status()).isEqualTo(200);
    assertThat(dropMissing.json().get("droppedKeys").asLong()).isZero();
    assertThat(cluster.fingerprint()).isEqualTo(before);
  }

  @Test
  void unknownRoutesAreJson404s() {
    for (String path : List.of("/v2/search", "/v1/tenants", "/v1/tenants/t/vectors/x/y", "/nope")) {
      Response r = cluster.get(path);
      assertThat(r.status()).as("GET %s: %s", path, r).isEqualTo(404);
      assertThat(r.json()).isNotNull();
      assertThat(r.json().get("status").asInt()).isEqualTo(404);
    }
    Response r = cluster.send("POST", "/v1/tenants/t/vectors/x", "{\"vector\": " + VECTOR + "}");
    assertThat(r.status()).isBetween(404, 405);
  }
}
