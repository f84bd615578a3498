package io.vectorshard.router.http;

import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.routing.RoutingTableCodec;
import io.vectorshard.core.tenant.Names;
import io.vectorshard.router.RouterConfig;
import io.vectorshard.router.filter.FilterTranslator;
import io.vectorshard.router.http.JsonValue.JsonArray;
import io.vectorshard.router.http.JsonValue.JsonObject;
import io.vectorshard.router.http.JsonValue.JsonString;
import io.vectorshard.router.query.SearchRequest;
import io.vectorshard.router.query.SearchResult;
import io.vectorshard.router.query.QueryLimits;
import io.vectorshard.router.query.Searcher;
import io.vectorshard.router.routing.Routing;
import io.vectorshard.router.write.UpsertResult;
import io.vectorshard.router.write.VectorInput;
import io.vectorshard.router.write.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The HTTP handlers: each parses and validates its request completely, then calls the
 * {@link Writer} or {@link Searcher}. README.md documents the shapes.
 */
public final class RouterApi {
  private static final Set<String> UPSERT_FIELDS = Set.of("vector", "metadata");
  private static final Set<String> BATCH_FIELDS = Set.of("vectors");
  private static final Set<String> BATCH_ITEM_FIELDS = Set.of("id", "vector", "metadata");
  private static final Set<String> TENANT_QUERY_FIELDS = Set.of("vector", "topK", "filter", "filterExpression", "filterEf", "ef",
      "withMetadata", "timeoutMs");
  private static final Set<String> SEARCH_FIELDS = Set.of("vector", "topK", "filter", "filterExpression", "filterEf", "ef",
      "withMetadata", "tenants", "merge", "timeoutMs", "allowPartial");
  private static final Set<String> ARTICLE_QUERY_FIELDS = Set.of("query_vector", "top_k", "filters", "ef", "timeoutMs");
  private static final Set<String> ARTICLE_MULTI_FIELDS = Set.of("query_vector", "top_k", "filters", "ef", "tenants",
      "merge", "timeoutMs", "allowPartial");
  /** The RAG article's routing key inside {@code filters}. */
  static final String TENANT_FILTER = "tenant_id";

  private final RouterConfig config;
  private final Routing routing;
  private final Writer writer;
  private final Searcher searcher;

  public RouterApi(RouterConfig config, Routing routing, Writer writer, Searcher searcher) {
    this.config = config;
    this.routing = routing;
    this.writer = writer;
    this.searcher = searcher;
  }

  void upsert(Exchange exchange) {
    String tenant = Names.tenant(exchange.pathParam("tenant"));
    String id = Names.vectorId(exchange.pathParam("id"));
    JsonObject body = Json.parse(exchange.body());
    Requests.onlyFields(body, UPSERT_FIELDS);
    int dims = dimensions();
    VectorInput input = new VectorInput(id, Requests.vector(body, "vector", dims), Requests.attributes(body, "metadata"));
    UpsertResult result = writer.upsert(tenant, List.of(input));
    ResponseJson.Fields out = ResponseJson.object().put("tenant", tenant).put("id", id)
        .put("created", result.created() == 1).put("epoch", result.epoch());
    exchange.respond(result.created() == 1 ? 201 : 200, out);
  }

  void batch(Exchange exchange) {
    String tenant = Names.tenant(exchange.pathParam("tenant"));
    JsonObject body = Json.parse(exchange.body());
    Requests.onlyFields(body, BATCH_FIELDS);
    if (!(body.get("vectors") instanceof JsonArray items) || items.isEmpty()) {
      throw new BadRequestException("vectors is required: a non-empty array of {id, vector, metadata}");
    }
    if (items.size() > config.maxBatch()) {
      throw new BadRequestException("batch holds " + items.size() + " vectors; the limit is " + config.maxBatch());
    }
    int dims = dimensions();
    List<VectorInput> inputs = new ArrayList<>(items.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      try {
        if (!(items.items().get(i) instanceof JsonObject item)) {
          throw new BadRequestException("must be an object");
        }
        Requests.onlyFields(item, BATCH_ITEM_FIELDS);
        String id = Names.vectorId(Requests.text(item, "id"));
        if (!seen.add(id)) {
          throw new BadRequestException("id \"" + Requests.cut(id) + "\" appears twice in the batch");
        }
        inputs.add(new VectorInput(id, Requests.vector(item, "vector", dims), Requests.attributes(item, "metadata")));
      } catch (IllegalArgumentException e) {
        throw new BadRequestException("vectors[" + i + "]: " + e.getMessage());
      }
    }
    UpsertResult result = writer.upsert(tenant, inputs);
    exchange.respond(200, ResponseJson.object().put("tenant", tenant).put("upserted", result.upserted())
        .put("created", result.created()).put("epoch", result.epoch()));
  }

  void get(Exchange exchange) {
    String tenant = Names.tenant(exchange.pathParam("tenant"));
    String id = Names.vectorId(exchange.pathParam("id"));
    ShardClient.StoredVector stored = writer.get(tenant, id);
    if (stored == null) {
      exchange.respond(404, error(404, "vector \"" + Requests.cut(id) + "\" not found for tenant " + tenant));
      return;
    }
    exchange.respond(200, ResponseJson.object().put("tenant", tenant).put("id", id).put("vector", stored.vector())
        .putMetadata("metadata", stored.attributes()));
  }

  void delete(Exchange exchange) {
    String tenant = Names.tenant(exchange.pathParam("tenant"));
    String id = Names.vectorId(exchange.pathParam("id"));
    boolean deleted = writer.delete(tenant, id);
    exchange.respond(200, ResponseJson.object().put("tenant", tenant).put("id", id).put("deleted", deleted));
  }

  void dropTenant(Exchange exchange) {
    String tenant = Names.tenant(exchange.pathParam("tenant"));
    long keys = writer.dropTenant(tenant);
    exchange.respond(200, ResponseJson.object().put("tenant", tenant).put("droppedKeys", keys));
  }

  void tenantQuery(Exchange exchange) {
    String tenant = Names.tenant(exchange.pathParam("tenant"));
    JsonObject body = Json.parse(exchange.body());
    Requests.onlyFields(body, TENANT_QUERY_FIELDS);
    SearchResult result = searcher.search(nativeRequest(body, List.of(tenant)));
    exchange.send(200, "application/json", ResponseJson.tenantQuery(tenant, result));
  }

  /** Native scatter-gather: all tenants, or {@code tenants}, with the partial-result envelope. */
  void search(Exchange exchange) {
    JsonObject body = Json.parse(exchange.body());
    Requests.onlyFields(body, SEARCH_FIELDS);
    SearchResult result = searcher.search(nativeRequest(body, tenants(body)));
    exchange.send(200, "application/json", ResponseJson.search(result));
  }

  /** The RAG article's {@code POST /v1/query}: {@code filters.tenant_id} routes, other filters match. */
  void articleQuery(Exchange exchange) {
    JsonObject body = Json.parse(exchange.body());
    Requests.onlyFields(body, ARTICLE_QUERY_FIELDS);
    JsonValue filters = body.get("filters");
    if (!(filters instanceof JsonObject object && object.get(TENANT_FILTER) instanceof JsonString(String id)) || id.isEmpty()) {
      throw new BadRequestException("'tenant_id' is a required string field in the filters.");
    }
    String tenant = Names.tenant(id);
    SearchRequest request = articleRequest(body, List.of(tenant), FilterTranslator.equalities(filters, TENANT_FILTER));
    respondList(exchange, searcher.search(request));
  }

  /**
   * The RAG article's {@code POST /v1/query/multi-shard}: an admin scatter-gather over all shards.
   * As in the article, {@code filters.tenant_id} does not restrict it; {@code tenants} does. The
   * body stays a plain list; partial results are flagged in headers.
   */
  void articleMultiShard(Exchange exchange) {
    JsonObject body = Json.parse(exchange.body());
    Requests.onlyFields(body, ARTICLE_MULTI_FIELDS);
    SearchRequest request = articleRequest(body, tenants(body), FilterTranslator.equalities(body.get("filters"), TENANT_FILTER));
    respondList(exchange, searcher.search(request));
  }

  void health(Exchange exchange) {
    exchange.respond(200, ResponseJson.object().put("status", "ok"));
  }

  /** Ready once a routing table is loaded: before that no request can be routed. */
  void ready(Exchange exchange) {
    var snapshot = routing.snapshot();
    ResponseJson.Fields out = ResponseJson.object().put("ready", snapshot.isPresent())
        .put("epoch", snapshot.map(Routing.Snapshot::epoch).orElse(0L));
    routing.notReadyReason().ifPresent(reason -> out.put("reason", reason));
    exchange.respond(snapshot.isPresent() ? 200 : 503, out);
  }

  void routingTable(Exchange exchange) {
    Routing.Snapshot snapshot = routing.require();
    exchange.send(200, "application/json", RoutingTableCodec.toJson(snapshot.table()).getBytes(StandardCharsets.UTF_8));
  }

  private SearchRequest nativeRequest(JsonObject body, List<String> tenants) {
    int dims = dimensions();
    float[] vector = Requests.vector(body, "vector", dims);
    int topK = Requests.intInRange(body, "topK", 10, 1, config.limits().maxTopK());
    String structured = FilterTranslator.translate(body.get("filter"));
    String raw = FilterTranslator.raw(Requests.text(body, "filterExpression"));
    if (structured != null && raw != null) {
      throw new BadRequestException("give filter or filterExpression, not both");
    }
    String filter = structured != null ? structured : raw;
    Integer filterEf = !JsonValue.absent(body.get("filterEf")) ? Requests.intInRange(body, "filterEf", 0, 1, Integer.MAX_VALUE) : null;
    return new SearchRequest(tenants, vector, topK, ef(body, topK), filter, config.limits().filterEf(filter, filterEf, topK),
        Requests.merge(body, "merge"), Requests.timeout(body, "timeoutMs", config.shardTimeout()),
        Requests.bool(body, "allowPartial", false), Requests.bool(body, "withMetadata", true));
  }

  private SearchRequest articleRequest(JsonObject body, List<String> tenants, String filter) {
    int dims = dimensions();
    float[] vector = Requests.vector(body, "query_vector", dims);
    int topK = Requests.intInRange(body, "top_k", 10, 1, config.limits().maxTopK());
    return new SearchRequest(tenants, vector, topK, ef(body, topK), filter, config.limits().filterEf(filter, null, topK),
        Requests.merge(body, "merge"), Requests.timeout(body, "timeoutMs", config.shardTimeout()),
        Requests.bool(body, "allowPartial", false), true);
  }

  /** The request's {@code ef} (default: at least topK), in range and within {@code topK x ef}. */
  private int ef(JsonObject body, int topK) {
    QueryLimits limits = config.limits();
    int ef = Requests.intInRange(body, "ef", Math.max(Requests.DEFAULT_EF, topK), 1, limits.maxEf());
    limits.checkSearch(topK, ef);
    return ef;
  }

  private static List<String> tenants(JsonObject body) {
    JsonValue node = body.get("tenants");
    if (JsonValue.absent(node)) {
      return null;
    }
    if (!(node instanceof JsonArray array) || array.isEmpty() || array.size() > 1024) {
      throw new BadRequestException("tenants must be a non-empty array of at most 1024 tenant ids");
    }
    List<String> tenants = new ArrayList<>();
    for (JsonValue t : array.items()) {
      if (!(t instanceof JsonString(String tenant))) {
        throw new BadRequestException("tenants must hold strings");
      }
      tenants.add(Names.tenant(tenant));
    }
    return tenants.stream().distinct().toList();
  }

  private int dimensions() {
    return routing.require().table().vectors().dimensions();
  }

  private void respondList(Exchange exchange, SearchResult result) {
    exchange.header("X-Vectorshard-Partial", Boolean.toString(result.partial()));
    if (result.partial()) {
      exchange.header("X-Vectorshard-Missing-Shards",
          String.join(",", result.missing().stream().map(SearchResult.MissingShard::shard).toList()));
    }
    exchange.header("X-Vectorshard-Epoch", Long.toString(result.epoch()));
    exchange.send(200, "application/json", ResponseJson.list(result.matches()));
  }

  static ResponseJson.Fields error(int status, String message) {
    return ResponseJson.object().put("status", status).put("error", message);
  }
}
