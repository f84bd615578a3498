package io.vectorshard.router.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorshard.api.PlacementSpec;
import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.api.VectorsSpec;
import io.vectorshard.core.redis.FunctionLibrary;
import io.vectorshard.core.redis.Keys;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardClients;
import io.vectorshard.core.routing.RoutingPublisher;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.RoutingTableCodec;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.router.RouterConfig;
import io.vectorshard.router.RouterServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A router in front of real Redis shards, for the router's tests: {@link RedisShards} processes, a
 * routing table published on them, and a {@link RouterServer} on a free port, with small HTTP
 * helpers. Start one per test class (in {@code @BeforeAll}) and close it in {@code @AfterAll}.
 */
public final class RouterCluster implements AutoCloseable {
  public static final ObjectMapper JSON = new ObjectMapper();
  public static final String CLUSTER = "test";

  private final RedisShards shards;
  private final RoutingTable table;
  private final RouterServer router;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private RouterCluster(RedisShards shards, RoutingTable table, RouterServer router) {
    this.shards = shards;
    this.table = table;
    this.router = router;
  }

  public static Builder builder(int shardCount) {
    return new Builder(shardCount);
  }

  /** How the cluster under test is laid out. */
  public static final class Builder {
    private final int shardCount;
    private int dimensions = 8;
    private VectorsSpec.Quantization quantization = VectorsSpec.Quantization.Q8;
    private final Map<String, List<Integer>> pinned = new TreeMap<>();
    private final Map<String, Integer> spread = new TreeMap<>();
    private boolean publish = true;
    private UnaryOperator<RouterConfig> config = UnaryOperator.identity();

    private Builder(int shardCount) {
      this.shardCount = shardCount;
    }

    public Builder dimensions(int dims) {
      this.dimensions = dims;
      return this;
    }

    public Builder quantization(VectorsSpec.Quantization q) {
      this.quantization = q;
      return this;
    }

    public Builder pin(String tenant, Integer... ordinals) {
      pinned.put(tenant, List.of(ordinals));
      return this;
    }

    public Builder spread(String tenant, int buckets) {
      spread.put(tenant, buckets);
      return this;
    }

    /** Starts the router before any table is published (for readiness tests). */
    public Builder unpublished() {
      this.publish = false;
      return this;
    }

    public Builder config(UnaryOperator<RouterConfig> customizer) {
      this.config = customizer;
      return this;
    }

    public RouterCluster start() {
      RedisShards shards = RedisShards.start(shardCount);
      try {
        RoutingTable table = null;
        if (publish) {
          table = shards.publish(CLUSTER, 1, spec(shards));
        }
        List<HostAndPort> seeds = shards.endpoints().stream()
            .map(e -> new HostAndPort(e.host(), e.port())).toList();
        RouterServer router = RouterServer.start(config.apply(RouterConfig.defaults(seeds).withPort(0)
            .withCredentials(RedisShards.ROUTER)));
        return new RouterCluster(shards, table, router);
      } catch (RuntimeException e) {
        shards.close();
        throw e;
      }
    }

    private VectorShardClusterSpec spec(RedisShards shards) {
      VectorShardClusterSpec spec = shards.spec(dimensions);
      spec.getVectors().setQuantization(quantization);
      PlacementSpec placement = spec.getPlacement();
      pinned.forEach((t, o) -> placement.getPinned().add(new PlacementSpec.PinnedTenant(t, new ArrayList<>(o))));
      spread.forEach((t, b) -> placement.getSpread().add(new PlacementSpec.SpreadTenant(t, b)));
      return spec;
    }
  }

  /** A copy of a config with another table check interval (0 turns the periodic check off). */
  public static RouterConfig withTableCheckInterval(RouterConfig c, Duration interval) {
    return new RouterConfig(c.host(), c.port(), c.seeds(), c.credentials(), c.shardTimeout(), c.limits(), c.maxBatch(),
        c.maxConnectionsPerShard(), c.http(), interval);
  }

  public RedisShards shards() {
    return shards;
  }

  /** The table published at start (epoch 1), or null for an unpublished cluster. */
  public RoutingTable table() {
    return table;
  }

  public RouterServer router() {
    return router;
  }

  public int dimensions() {
    return table.vectors().dimensions();
  }

  public ShardEndpoint endpoint(int ordinal) {
    return shards.endpoints().get(ordinal);
  }

  public String shardId(int ordinal) {
    return endpoint(ordinal).id();
  }

  // ---------------------------------------------------------------- HTTP

  /** An HTTP answer: status, body parsed as JSON (null when not JSON), raw body and headers. */
  public record Response(int status, JsonNode json, String body, HttpHeaders headers) {
    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    /** The error message of an error answer ("" when there is none). */
    public String error() {
      return json == null || json.get("error") == null ? "" : json.get("error").asText();
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  public Response get(String path) {
    return send("GET", path, null);
  }

  public Response delete(String path) {
    return send("DELETE", path, null);
  }

  public Response put(String path, Object body) {
    return send("PUT", path, toJson(body));
  }

  public Response post(String path, Object body) {
    return send("POST", path, toJson(body));
  }

  /** Sends a body exactly as given, for malformed-input tests. */
  public Response send(String method, String path, String rawBody) {
    return send(method, path, rawBody, Duration.ofSeconds(30));
  }

  public Response send(String method, String path, String rawBody, Duration timeout) {
    HttpRequest.BodyPublisher publisher = rawBody == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(rawBody, StandardCharsets.UTF_8);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(timeout)
        .method(method, publisher);
    if (rawBody != null) {
      request.header("Content-Type", "application/json");
    }
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = null;
      String contentType = response.headers().firstValue("Content-Type").orElse("");
      if (contentType.startsWith("application/json") && !response.body().isEmpty()) {
        json = JSON.readTree(response.body());
      }
      return new Response(response.statusCode(), json, response.body(), response.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + router.port();
  }

  /** Percent-encodes one path segment (spaces as %20, braces and slashes encoded). */
  public static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  public static String toJson(Object body) {
    if (body instanceof String s) {
      return s;
    }
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  public static ArrayNode array(float[] vector) {
    ArrayNode array = JSON.createArrayNode();
    for (float f : vector) {
      array.add(f);
    }
    return array;
  }

  /** Upserts one vector through the router and checks it was accepted. */
  public Response upsert(String tenant, String id, float[] vector, JsonNode metadata) {
    ObjectNode body = object();
    body.set("vector", array(vector));
    if (metadata != null) {
      body.set("metadata", metadata);
    }
    Response r = put("/v1/tenants/" + tenant + "/vectors/" + segment(id), body);
    if (r.status() != 200 && r.status() != 201) {
      throw new AssertionError("upsert of " + tenant + "/" + id + " failed: " + r);
    }
    return r;
  }

  /** One item of a batch upsert. */
  public record Item(String id, float[] vector, JsonNode metadata) {}

  /** Upserts a batch through the router and checks it was accepted. */
  public Response batch(String tenant, List<Item> items) {
    ObjectNode body = object();
    ArrayNode vectors = body.putArray("vectors");
    for (Item item : items) {
      ObjectNode v = vectors.addObject().put("id", item.id());
      v.set("vector", array(item.vector()));
      if (item.metadata() != null) {
        v.set("metadata", item.metadata());
      }
    }
    Response r = post("/v1/tenants/" + tenant + "/vectors:batch", body);
    if (r.status() != 200) {
      throw new AssertionError("batch upsert for " + tenant + " failed: " + r);
    }
    return r;
  }

  public static float[] randomVector(Random random, int dims) {
    float[] v = new float[dims];
    for (int i = 0; i < dims; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  // ---------------------------------------------------------------- direct Redis access

  /** A fresh connection to one shard (close it). */
  public Jedis jedis(int ordinal) {
    ShardEndpoint e = endpoint(ordinal);
    return RedisShards.admin(e.host(), e.port());
  }

  /** A client for one shard, as its administrator (close it). */
  public ShardClient shardClient(int ordinal) {
    return new ShardClient(endpoint(ordinal), RedisShards.ADMIN, Duration.ofSeconds(5), 2);
  }

  /** Element counts of every tenant key ({@code vsc:t:*}) on one shard, by key. */
  public Map<String, Long> tenantKeys(int ordinal) {
    try (Jedis jedis = jedis(ordinal)) {
      Map<String, Long> result = new TreeMap<>();
      for (String key : jedis.keys("vsc:t:*")) {
        result.put(key, jedis.vcard(key));
      }
      return result;
    }
  }

  /** VCARD of one key on one shard (0 when absent). */
  public long vcard(int ordinal, String key) {
    try (Jedis jedis = jedis(ordinal)) {
      return jedis.exists(key) ? jedis.vcard(key) : 0;
    }
  }

  /** Element names of one key on one shard (empty when absent). */
  public List<String> members(int ordinal, String key) {
    try (Jedis jedis = jedis(ordinal)) {
      if (!jedis.exists(key)) {
        return List.of();
      }
      long size = jedis.vcard(key);
      return new ArrayList<>(new TreeSet<>(jedis.vrandmember(key, (int) size)));
    }
  }

  /**
   * A description of everything stored on every shard: each key with its type and content size
   * (vector sets: element count and attributes of all elements; sets: members; strings: value).
   * Two equal fingerprints mean nothing was written in between.
   */
  public Map<String, String> fingerprint() {
    Map<String, String> all = new TreeMap<>();
    for (int i = 0; i < shards.size(); i++) {
      try (Jedis jedis = jedis(i)) {
        for (String key : jedis.keys("*")) {
          String type = jedis.type(key);
          String value = switch (type) {
            case "vectorset" -> {
              long size = jedis.vcard(key);
              Map<String, String> attrs = new TreeMap<>();
              for (String member : jedis.vrandmember(key, (int) size)) {
                attrs.put(member, String.valueOf(jedis.vgetattr(key, member)));
              }
              yield "vectorset " + size + " " + attrs;
            }
            case "set" -> "set " + new TreeSet<>(jedis.smembers(key));
            case "string" -> "string " + jedis.get(key);
            default -> type;
          };
          all.put(i + "/" + key, value);
        }
      }
    }
    return all;
  }

  /** Total number of keys over all shards. */
  public long totalKeys() {
    long total = 0;
    for (int i = 0; i < shards.size(); i++) {
      try (Jedis jedis = jedis(i)) {
        total += jedis.dbSize();
      }
    }
    return total;
  }

  /** Publishes a table to every shard with announcement, as the operator does. */
  public void publish(RoutingTable newTable) {
    try (ShardClients clients = new ShardClients(RedisShards.ADMIN, Duration.ofSeconds(5))) {
      new RoutingPublisher(clients).publish(newTable);
    }
  }

  /**
   * Publishes a table to every shard but announces it on a channel nobody listens to: the router can
   * only learn about it from a STALE reply or a newer epoch seen on a read.
   */
  public void publishSilently(RoutingTable newTable) {
    String json = RoutingTableCodec.toJson(newTable);
    for (ShardEndpoint e : newTable.shards()) {
      try (Jedis jedis = jedis(e.ordinal())) {
        jedis.fcall(FunctionLibrary.PUBLISH, List.of(Keys.EPOCH, Keys.ROUTING),
            List.of(Long.toString(newTable.epoch()), json, "vsc:test-nobody-listens"));
      }
    }
  }

  // ---------------------------------------------------------------- metrics

  /** The router's metrics page. */
  public String metrics() {
    return get("/metrics").body();
  }

  /**
   * Sum of the samples of one metric whose labels include all the given ones (label order free).
   * 0 when no sample matches.
   */
  public double metric(String name, Map<String, String> labels) {
    return metricValue(metrics(), name, labels);
  }

  public static double metricValue(String page, String name, Map<String, String> labels) {
    // Label values may hold braces (route templates), so quoted values are skipped as a whole.
    Pattern line = Pattern.compile("^" + Pattern.quote(name) + "(\\{((?:[^\"}]|\"(?:[^\"\\\\]|\\\\.)*\")*)\\})?\\s+(\\S+)$",
        Pattern.MULTILINE);
    Matcher m = line.matcher(page);
    double sum = 0;
    while (m.find()) {
      Map<String, String> have = parseLabels(m.group(2) == null ? "" : m.group(2));
      if (have.entrySet().containsAll(labels.entrySet())) {
        sum += Double.parseDouble(m.group(3));
      }
    }
    return sum;
  }

  private static Map<String, String> parseLabels(String s) {
    Map<String, String> labels = new LinkedHashMap<>();
    Matcher m = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(s);
    while (m.find()) {
      labels.put(m.group(1), m.group(2));
    }
    return labels;
  }

  @Override
  public void close() {
    try {
      router.close();
    } finally {
      shards.close();
    }
  }
}
