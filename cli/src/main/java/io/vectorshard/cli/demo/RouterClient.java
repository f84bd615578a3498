package io.vectorshard.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A small client of the router's HTTP API, as an application would call the sidecar. */
public final class RouterClient implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final String baseUrl;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  public RouterClient(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** Upserts documents with their vectors in one batch. Returns the router's answer. */
  public JsonNode upsertBatch(String tenant, List<Corpus.Document> documents, List<float[]> vectors) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode items = body.putArray("vectors");
    for (int i = 0; i < documents.size(); i++) {
      Corpus.Document d = documents.get(i);
      ObjectNode item = items.addObject().put("id", d.id());
      item.set("vector", vector(vectors.get(i)));
      item.set("metadata", JSON.valueToTree(d.metadata()));
    }
    return post("/v1/tenants/" + tenant + "/vectors:batch", body);
  }

  public JsonNode tenantQuery(String tenant, float[] vector, int topK) {
    ObjectNode body = JSON.createObjectNode().put("topK", topK);
    body.set("vector", vector(vector));
    return post("/v1/tenants/" + tenant + "/query", body);
  }

  /** The RAG article's route: {@code filters.tenant_id} plus metadata equality filters. */
  public JsonNode articleQuery(float[] vector, int topK, Map<String, Object> filters) {
    ObjectNode body = articleBody(vector, topK);
    body.set("filters", JSON.valueToTree(filters));
    return post("/v1/query", body);
  }

  /** Scatter-gather over every tenant on every shard. */
  public JsonNode search(float[] vector, int topK, String merge) {
    ObjectNode body = JSON.createObjectNode().put("topK", topK).put("merge", merge);
    body.set("vector", vector(vector));
    return post("/v1/search", body);
  }

  public JsonNode routing() {
    return send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/routing")).GET());
  }

  static ObjectNode articleBody(float[] vector, int topK) {
    ObjectNode body = JSON.createObjectNode().put("top_k", topK);
    body.set("query_vector", vector(vector));
    return body;
  }

  static ArrayNode vector(float[] vector) {
    ArrayNode array = JSON.createArrayNode();
    for (float f : vector) {
      array.add(f);
    }
    return array;
  }

  private JsonNode post(String path, JsonNode body) {
    try {
      return send(HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JsonNode send(HttpRequest.Builder request) {
    try {
      HttpResponse<byte[]> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      JsonNode json = JSON.readTree(response.body());
      if (response.statusCode() >= 300) {
        throw new IllegalStateException("router answered " + response.statusCode() + ": " + json.path("error").asText());
      }
      return json;
    } catch (IOException e) {
      throw new UncheckedIOException("router at " + baseUrl + " unreachable: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  @Override
  public void close() {
    http.close();
  }
}
