package io.vectorshard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vectorshard.api.PlacementSpec;
import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.core.redis.Fp32;
import io.vectorshard.core.redis.RedisBinary;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.RoutingTable.BucketLocation;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.routing.VectorSettings;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.router.RouterConfig;
import io.vectorshard.router.RouterServer;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;

/**
 * Router vs direct Redis, on one data set in one run:
 *
 * <ol>
 *   <li>single-tenant query latency and throughput at concurrency 1 and N;
 *   <li>batch ingest throughput;
 *   <li>a scatter-gather query over all shards vs the slowest shard queried alone;
 *   <li>recall@k of score merge vs reciprocal rank fusion against brute force.
 * </ol>
 *
 * Starts its own Redis 8 shards ({@link RedisShards}) and an in-process {@link RouterServer}; prints
 * tables and a summary of targets. No assertions: it measures and reports. See bench/README.md.
 */
public final class RouterBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CLUSTER = "bench";
  private static final int QUERY_POOL = 1000;

  private final BenchConfig config;
  private final Dataset data;
  private final RoutingTable table;
  private final RouterServer router;
  private final Report report;
  private final List<String> tenantNames;
  private final CpuMeter meter;

  private RouterBenchmark(BenchConfig config, Dataset data, RoutingTable table, RouterServer router, Report report,
      CpuMeter meter) {
    this.meter = meter;
    this.config = config;
    this.data = data;
    this.table = table;
    this.router = router;
    this.report = report;
    this.tenantNames = data.tenants.stream().map(Dataset.Tenant::name).toList();
  }

  public static void main(String[] args) throws Exception {
    // The router logs at info; a benchmark report wants only warnings. Set before any logger exists.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    BenchConfig config;
    try {
      config = BenchConfig.parse(args);
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().isEmpty()) {
        System.err.println("RouterBenchmark: " + e.getMessage());
      }
      System.err.print(BenchConfig.USAGE);
      System.exit(e.getMessage().isEmpty() ? 0 : 2);
      return;
    }
    long started = System.nanoTime();
    Report report = new Report(System.out);
    report.line("vectorshard router benchmark: router HTTP API vs direct Redis, on the same data in one run");
    Dataset data = Dataset.generate(config);
    try (RedisShards shards = RedisShards.start(config.shards())) {
      VectorShardClusterSpec spec = shards.spec(config.dims());
      for (Dataset.Tenant t : data.tenants) {
        spec.getPlacement().getPinned().add(new PlacementSpec.PinnedTenant(t.name(), List.of(t.shard())));
      }
      RoutingTable table = shards.publish(CLUSTER, 1, spec);
      List<HostAndPort> seeds = shards.endpoints().stream().map(e -> new HostAndPort(e.host(), e.port())).toList();
      RouterConfig routerConfig = RouterConfig.defaults(seeds).withPort(0).withCredentials(RedisShards.ROUTER);
      try (RouterServer router = RouterServer.start(routerConfig); CpuMeter meter = new CpuMeter(table.shards())) {
        RouterBenchmark bench = new RouterBenchmark(config, data, table, router, report, meter);
        bench.environment(routerConfig);
        bench.parameters();
        bench.ingest();
        bench.singleTenantLatency();
        bench.breakdown();
        bench.scatterGather();
        bench.recall();
        if (config.jdkClient()) {
          bench.clientComparison();
        }
        bench.summary(started);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Environment and parameters

  private void environment(RouterConfig routerConfig) throws IOException {
    report.heading("Environment");
    String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
    String redisVersion;
    try (Jedis jedis = DirectShard.open(table.shards().get(0))) {
      redisVersion = jedis.info("server").lines().filter(l -> l.startsWith("redis_version:"))
          .map(l -> l.substring("redis_version:".length()).trim()).findFirst().orElse("unknown");
    }
    Runtime rt = Runtime.getRuntime();
    report.line("cpu           %d cores available to the JVM (%s), %s", rt.availableProcessors(), cpu,
        System.getProperty("os.name") + " " + System.getProperty("os.version"));
    report.line("jdk           %s %s (%s), max heap %d MB, GC %s", System.getProperty("java.vendor"),
        Runtime.version(), System.getProperty("java.vm.name"), rt.maxMemory() >> 20,
        ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
            .collect(Collectors.joining("/")));
    report.line("jvm args      %s", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    report.line("redis         %s, %d redis-server processes on 127.0.0.1, no persistence (%s)", redisVersion,
        config.shards(), RedisBinary.find());
    report.line("router        in-process RouterServer on 127.0.0.1:%d (Jetty, platform threads),"
        + " shard timeout %d ms, %d connections per shard", router.port(), routerConfig.shardTimeout().toMillis(),
        routerConfig.maxConnectionsPerShard());
    report.line("load          generated in the same JVM as the router; everything shares the %d cores",
        rt.availableProcessors());
    report.line("machine load  load average %s at start (other processes on this machine compete for the same"
        + " cores; the tables show their CPU use as \"other cores\")", CpuMeter.loadAverage());
    report.line("http client   keep-alive HTTP/1.1, one connection per load thread (minimal client in this"
        + " module)%s", config.jdkClient() ? "; section 5 also uses java.net.http.HttpClient (HTTP/1.1, shared)" : "");
  }

  private void parameters() {
    report.heading("Parameters");
    VectorSettings v = table.vectors();
    report.line("data          %,d vectors x %d dims, unit length, %d cluster centers + gaussian noise (norm %.2f)",
        data.size(), data.dims, config.clusters(), config.noise());
    report.line("vector sets   %s, M %d, EF(build) %d  (set by the routing table; direct VADD uses the same)",
        v.quantization(), v.m(), v.efConstruction());
    report.line("queries       VSIM ... FP32 <blob> WITHSCORES COUNT %d EF %d; query vectors are fresh draws,"
        + " not stored vectors", config.topK(), config.ef());
    report.line("latency       %d round(s) x %.2f s measured per cell, %.2f s warm-up before each; concurrency 1 and %d;"
        + " the paths are interleaved per round", config.rounds(), config.cellSeconds(), config.warmupSeconds(),
        config.highConcurrency());
    report.line("ingest        batches of %d, one request in flight; direct = pipelined VADD on one connection",
        config.batch());
    report.line("scatter       %,d measured queries over all %d tenants (+%d warm-up)", config.scatterQueries(),
        data.tenants.size(), scatterWarmup());
    report.line("recall        %d queries, exact top-%d by cosine over all %,d float32 vectors, computed in Java",
        config.recallQueries(), config.topK(), data.size());
    report.line("seed          %d", config.seed());
    report.blank();
    Report.Table tenants = new Report.Table("tenant", "vectors", "shard (pinned)", "key");
    for (Dataset.Tenant t : data.tenants) {
      tenants.row(t.name(), Report.num(t.size(), 0), ShardEndpoint.idOf(t.shard()), keyOf(t.name()));
    }
    tenants.print(report);
    Map<Integer, Integer> perShard = new LinkedHashMap<>();
    for (Dataset.Tenant t : data.tenants) {
      perShard.merge(t.shard(), t.size(), Integer::sum);
    }
    report.line("per shard: %s", perShard.entrySet().stream()
        .map(e -> ShardEndpoint.idOf(e.getKey()) + " " + String.format(Locale.ROOT, "%,d", e.getValue()))
        .collect(Collectors.joining(", ")));
  }

  // ---------------------------------------------------------------------------------------------
  // 2. Batch ingest (run first: it loads the data every later section queries)

  private void ingest() throws Exception {
    report.heading("2. Batch ingest: direct pipelined VADD vs router POST /v1/tenants/{t}/vectors:batch");
    report.line("(runs first: the router's writes load the data every later section queries)");
    VectorSettings settings = table.vectors();
    Map<Integer, Jedis> connections = new LinkedHashMap<>();
    try (RawHttpClient http = new RawHttpClient("127.0.0.1", router.port())) {
      for (ShardEndpoint s : table.shards()) {
        connections.put(s.ordinal(), DirectShard.open(s));
      }
      // Warm-up: a throw-away tenant through both paths, then removed.
      Dataset.Tenant warm = warmupTenant();
      int warmShard = table.bucketsOf(warm.name()).get(0).shard().ordinal();
      directIngest(connections.get(warmShard), "bench:direct:" + warm.name(), warm, settings);
      routerIngest(http, warm);
      check(http.delete("/v1/tenants/" + warm.name()), "drop warm-up tenant");
      connections.get(warmShard).del("bench:direct:" + warm.name());

      long directNanos = 0;
      long routerNanos = 0;
      int vectors = 0;
      directIngestCpu = CpuMeter.Usage.NONE;
      routerIngestCpu = CpuMeter.Usage.NONE;
      for (int i = 0; i < data.tenants.size(); i++) {
        Dataset.Tenant t = data.tenants.get(i);
        Jedis jedis = connections.get(t.shard());
        // Alternate which path goes first, so neither always runs on a warmer or cooler machine.
        if (i % 2 == 0) {
          directNanos += directIngest(jedis, "bench:direct:" + t.name(), t, settings);
          routerNanos += routerIngest(http, t);
        } else {
          routerNanos += routerIngest(http, t);
          directNanos += directIngest(jedis, "bench:direct:" + t.name(), t, settings);
        }
        vectors += t.size();
        long routed = jedis.vcard(keyOf(t.name()));
        long direct = jedis.vcard("bench:direct:" + t.name());
        if (routed != t.size() || direct != t.size()) {
          throw new IllegalStateException(t.name() + ": expected " + t.size() + " elements, router key has " + routed
              + ", direct key has " + direct);
        }
      }
      for (Dataset.Tenant t : data.tenants) {
        connections.get(t.shard()).del("bench:direct:" + t.name());
      }
      double directRate = vectors / (directNanos / 1e9);
      double routerRate = vectors / (routerNanos / 1e9);
      Report.Table table = new Report.Table("path", "vectors", "seconds", "vectors/s", "ratio", "us/vector",
          "JVM cpu us/v", "Redis cpu us/v", "other cores", "JIT ms");
      table.row("direct: pipelined VADD ... " + settings.quantization() + " M " + settings.m() + " EF "
              + settings.efConstruction() + " SETATTR, 1 conn", Report.num(vectors, 0),
          Report.num(directNanos / 1e9, 2), Report.num(directRate, 0), "1.00x", Report.num(1e6 / directRate, 1),
          Report.num(directIngestCpu.jvmSeconds() * 1e6 / vectors, 1),
          Report.num(directIngestCpu.redisSeconds() * 1e6 / vectors, 1), Report.num(directIngestCpu.otherCores(), 2),
          Long.toString(directIngestCpu.jitMillis()));
      table.row("router: POST vectors:batch, " + config.batch() + " per request", Report.num(vectors, 0),
          Report.num(routerNanos / 1e9, 2), Report.num(routerRate, 0), Report.ratio(routerRate / directRate),
          Report.num(1e6 / routerRate, 1), Report.num(routerIngestCpu.jvmSeconds() * 1e6 / vectors, 1),
          Report.num(routerIngestCpu.redisSeconds() * 1e6 / vectors, 1), Report.num(routerIngestCpu.otherCores(), 2),
          Long.toString(routerIngestCpu.jitMillis()));
      table.print(report);
      report.line("JVM cpu = this JVM (client + in-process router); Redis cpu = the shards; other cores = CPU used by"
          + " other processes on the machine meanwhile; JIT ms = compilation inside the timed exchanges (this section"
          + " runs first, on a cold JVM, and JIT time counts as JVM cpu)");
      report.line("ingest throughput ratio router/direct: %s (no target; router writes go through the fenced"
          + " vsc_upsert function, chunks of 64 per FCALL)", Report.ratio(routerRate / directRate));
      report.line("verified: every tenant key holds exactly its vectors via both paths; direct copies deleted after");
      ingestRatio = routerRate / directRate;
    } finally {
      connections.values().forEach(Jedis::close);
    }
  }

  private double ingestRatio;
  private CpuMeter.Usage directIngestCpu = CpuMeter.Usage.NONE;
  private CpuMeter.Usage routerIngestCpu = CpuMeter.Usage.NONE;

  private Dataset.Tenant warmupTenant() {
    SplittableRandom random = new SplittableRandom(config.seed() ^ 0x5EED);
    int n = Math.min(5000, Math.max(config.batch(), data.size() / 4));
    String[] ids = new String[n];
    float[][] vectors = new float[n][];
    String[] attrs = new String[n];
    for (int i = 0; i < n; i++) {
      ids[i] = "warm-" + i;
      vectors[i] = data.queryForCorpus(random);
      attrs[i] = "{\"doc\":\"" + ids[i] + "\",\"cluster\":0,\"lang\":\"en\",\"year\":2020}";
    }
    return new Dataset.Tenant("bench-warmup", -1, ids, vectors, attrs, null);
  }

  /** Pipelined VADDs in batches; returns the nanoseconds spent sending and syncing (arguments prepared untimed). */
  private long directIngest(Jedis jedis, String key, Dataset.Tenant t, VectorSettings s) {
    long nanos = 0;
    byte[] quant = DirectShard.bytes(s.quantization().name());
    byte[] m = DirectShard.bytes(Integer.toString(s.m()));
    byte[] ef = DirectShard.bytes(Integer.toString(s.efConstruction()));
    for (int from = 0; from < t.size(); from += config.batch()) {
      int to = Math.min(t.size(), from + config.batch());
      List<byte[][]> commands = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        commands.add(new byte[][] {DirectShard.bytes(key), DirectShard.bytes("FP32"), Fp32.encode(t.vectors()[i]),
            DirectShard.bytes(t.ids()[i]), quant, DirectShard.bytes("M"), m, DirectShard.bytes("EF"), ef,
            DirectShard.bytes("SETATTR"), DirectShard.bytes(t.attributes()[i])});
      }
      CpuMeter.Sample cpuBefore = meter.sample();
      long before = System.nanoTime();
      Pipeline pipeline = jedis.pipelined();
      List<Response<Object>> replies = new ArrayList<>(commands.size());
      for (byte[][] args : commands) {
        replies.add(pipeline.sendCommand(Protocol.Command.VADD, args));
      }
      pipeline.sync();
      nanos += System.nanoTime() - before;
      directIngestCpu = directIngestCpu.plus(CpuMeter.between(cpuBefore, meter.sample()));
      replies.forEach(Response::get); // throws on any error reply
    }
    return nanos;
  }

  /** Batches through the router; returns the nanoseconds of the HTTP exchanges (bodies built untimed). */
  private long routerIngest(RawHttpClient http, Dataset.Tenant t) throws IOException {
    long nanos = 0;
    String path = "/v1/tenants/" + t.name() + "/vectors:batch";
    for (int from = 0; from < t.size(); from += config.batch()) {
      byte[] body = Bodies.batch(t, from, Math.min(t.size(), from + config.batch()));
      CpuMeter.Sample cpuBefore = meter.sample();
      long before = System.nanoTime();
      RawHttpClient.Response response = http.post(path, body);
      nanos += System.nanoTime() - before;
      routerIngestCpu = routerIngestCpu.plus(CpuMeter.between(cpuBefore, meter.sample()));
      check(response, "batch upsert for " + t.name());
    }
    return nanos;
  }

  // ---------------------------------------------------------------------------------------------
  // 1. Single-tenant query latency

  private record QueryPath(String label, LoadRunner.WorkerFactory factory) {}

  private void singleTenantLatency() throws Exception {
    Dataset.Tenant tenant = data.tenants.get(0);
    String key = keyOf(tenant.name());
    ShardEndpoint shard = ownerOf(tenant.name());
    report.heading("1. Single-tenant query: direct VSIM vs router POST /v1/tenants/{t}/query");
    report.line("tenant %s (%,d vectors, the largest) on %s; %d distinct query vectors drawn from its topics",
        tenant.name(), tenant.size(), shard.id(), QUERY_POOL);

    SplittableRandom random = new SplittableRandom(config.seed() + 1);
    byte[][][] vsim = new byte[QUERY_POOL][][];
    byte[][] noMeta = new byte[QUERY_POOL][];
    byte[][] withMeta = new byte[QUERY_POOL][];
    for (int q = 0; q < QUERY_POOL; q++) {
      float[] v = data.queryFor(tenant, random);
      vsim[q] = DirectShard.vsimArgs(key, Fp32.encode(v), config.topK(), config.ef());
      noMeta[q] = Bodies.tenantQuery(v, config.topK(), config.ef(), false);
      withMeta[q] = Bodies.tenantQuery(v, config.topK(), config.ef(), null);
    }
    String path = "/v1/tenants/" + tenant.name() + "/query";
    sanityCheck(shard, vsim, path, noMeta, withMeta);

    List<QueryPath> paths = new ArrayList<>();
    paths.add(new QueryPath("direct VSIM (Jedis, own connection per thread)", () -> {
      Jedis jedis = DirectShard.open(shard);
      return new LoadRunner.Worker() {
        @Override
        public void call(int q) {
          Object reply = jedis.sendCommand(Protocol.Command.VSIM, vsim[q]);
          if (!(reply instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalStateException("VSIM answered " + reply);
          }
        }

        @Override
        public void close() {
          jedis.close();
        }
      };
    }));
    paths.add(new QueryPath("router, withMetadata=false", () -> httpWorker(path, noMeta)));
    paths.add(new QueryPath("router, withMetadata=true (default)", () -> httpWorker(path, withMeta)));
    jitWarmup(paths);

    for (int concurrency : new int[] {1, config.highConcurrency()}) {
      Map<String, LatencyRecorder> results = new LinkedHashMap<>();
      paths.forEach(p -> results.put(p.label(), new LatencyRecorder()));
      for (int round = 0; round < config.rounds(); round++) {
        List<QueryPath> order = new ArrayList<>(paths);
        if (round % 2 == 1) {
          java.util.Collections.reverse(order);
        }
        for (QueryPath p : order) {
          System.gc();
          results.get(p.label()).add(LoadRunner.run(p.factory(), concurrency, QUERY_POOL, config.warmupNanos(),
              config.cellNanos(), meter));
        }
      }
      latencyTable(concurrency, results, paths, true);
    }
    breakdownInputs = new BreakdownInputs(shard, key, vsim, path, noMeta);
  }

  // ---------------------------------------------------------------------------------------------
  // 5. HTTP client choice (measured last, so the JDK client's JIT work cannot disturb the rest)

  private void clientComparison() throws Exception {
    BreakdownInputs in = breakdownInputs;
    report.heading("5. Client side (info): the same router query through java.net.http.HttpClient");
    HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    URI uri = URI.create("http://127.0.0.1:" + router.port() + in.path());
    HttpRequest[] requests = new HttpRequest[QUERY_POOL];
    for (int q = 0; q < QUERY_POOL; q++) {
      requests[q] = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(in.bodies()[q])).build();
    }
    List<QueryPath> paths = new ArrayList<>();
    paths.add(new QueryPath("direct VSIM (Jedis, own connection per thread)", () -> {
      Jedis jedis = DirectShard.open(in.shard());
      return jedisWorker(jedis, q -> jedis.sendCommand(Protocol.Command.VSIM, in.vsim()[q]));
    }));
    paths.add(new QueryPath("router, withMetadata=false, minimal client (as in section 1)",
        () -> httpWorker(in.path(), in.bodies())));
    paths.add(new QueryPath("router, withMetadata=false, java.net.http.HttpClient (shared)", () -> q -> {
      HttpResponse<byte[]> r = jdk.send(requests[q], HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("router answered " + r.statusCode() + ": " + new String(r.body()));
      }
    }));
    LoadRunner.run(paths.get(2).factory(), 4, QUERY_POOL, 0, 4_000_000_000L); // JIT warm-up of the JDK client
    for (int concurrency : new int[] {1, config.highConcurrency()}) {
      Map<String, LatencyRecorder> results = new LinkedHashMap<>();
      for (QueryPath p : paths) {
        results.put(p.label(), LoadRunner.run(p.factory(), concurrency, QUERY_POOL, config.warmupNanos(),
            config.cellNanos(), meter));
      }
      latencyTable(concurrency, results, paths, false);
    }
    jdk.close();
    report.line("(one round per cell; no targets here. The JDK client spends more CPU per request than the router"
        + " itself on this path: choose the client accordingly when measuring or calling the sidecar.)");
  }

  /**
   * Runs every path of this benchmark (and the scatter route) in half-second slices until the JIT
   * compiler has mostly gone quiet (compile time under 5% of the wall time of a round of slices), or
   * for at most 20 s. The router runs in this JVM, so measuring before C2 is done would charge
   * compilation to the router. Concurrency 4, not 16, leaves the compiler threads some CPU.
   */
  private void jitWarmup(List<QueryPath> paths) {
    SplittableRandom random = new SplittableRandom(config.seed() + 4);
    byte[][] search = new byte[200][];
    for (int q = 0; q < search.length; q++) {
      search[q] = Bodies.search(data.queryForCorpus(random), config.topK(), config.ef(), tenantNames,
          q % 2 == 0 ? "score" : "rrf", q % 4 == 1);
    }
    List<LoadRunner.WorkerFactory> all = new ArrayList<>();
    paths.forEach(p -> all.add(p.factory()));
    LoadRunner.WorkerFactory scatter = () -> httpWorker("/v1/search", search);
    all.add(scatter);
    long started = System.nanoTime();
    long maxNanos = 20_000_000_000L;
    long slice = 500_000_000L;
    CpuMeter.Usage last;
    int rounds = 0;
    do {
      CpuMeter.Sample before = meter.sample();
      for (LoadRunner.WorkerFactory f : all) {
        LoadRunner.run(f, 4, f == scatter ? search.length : QUERY_POOL, 0, slice);
      }
      last = CpuMeter.between(before, meter.sample());
      rounds++;
    } while ((rounds < 3 || last.jitMillis() > 0.05 * last.wallSeconds() * 1000)
        && System.nanoTime() - started < maxNanos);
    report.line("JIT warm-up: %.1f s of load on every path (concurrency 4) until compilation settled (last round: %d"
        + " ms of compilation in %.1f s%s); the JIT ms column shows compilation inside each measured cell",
        (System.nanoTime() - started) / 1e9, last.jitMillis(), last.wallSeconds(),
        last.jitMillis() > 0.05 * last.wallSeconds() * 1000 ? "; still above 5%, stopped at the time limit" : "");
  }

  private LoadRunner.Worker httpWorker(String path, byte[][] bodies) {
    RawHttpClient http = new RawHttpClient("127.0.0.1", router.port());
    return new LoadRunner.Worker() {
      @Override
      public void call(int q) throws IOException {
        RawHttpClient.Response r = http.post(path, bodies[q]);
        if (r.status() != 200) {
          throw new IllegalStateException("router answered " + r.status() + ": " + r.text());
        }
      }

      @Override
      public void close() {
        http.close();
      }
    };
  }

  /** Router and direct must return the same elements (same key, same query, same EF), else the comparison is void. */
  private void sanityCheck(ShardEndpoint shard, byte[][][] vsim, String path, byte[][] noMeta, byte[][] withMeta)
      throws IOException {
    int n = Math.min(100, vsim.length);
    int same = 0;
    int metadataPresent = 0;
    try (Jedis jedis = DirectShard.open(shard); RawHttpClient http = new RawHttpClient("127.0.0.1", router.port())) {
      for (int q = 0; q < n; q++) {
        List<DirectShard.Hit> hits = new ArrayList<>();
        DirectShard.parse("", jedis.sendCommand(Protocol.Command.VSIM, vsim[q]), hits);
        List<String> direct = hits.stream().map(DirectShard.Hit::id).toList();
        List<String> routed = new ArrayList<>();
        for (JsonNode r : JSON.readTree(check(http.post(path, noMeta[q]), "query").body()).get("results")) {
          routed.add(r.get("id").asText());
        }
        if (direct.equals(routed)) {
          same++;
        }
        JsonNode first = JSON.readTree(check(http.post(path, withMeta[q]), "query").body()).get("results").get(0);
        if (first != null && first.path("metadata").has("doc")) {
          metadataPresent++;
        }
      }
    }
    report.line("sanity: router and direct return the same top-%d on %d/%d queries; metadata returned on %d/%d",
        config.topK(), same, n, metadataPresent, n);
  }

  private void latencyTable(int concurrency, Map<String, LatencyRecorder> results, List<QueryPath> paths,
      boolean targets) {
    report.blank();
    report.line("concurrency %d (%s)", concurrency, concurrency == 1 ? "one thread, one request in flight"
        : concurrency + " threads, each with its own connection");
    LatencyRecorder direct = results.get(paths.get(0).label());
    Report.Table t = new Report.Table("path", "queries", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "queries/s",
        "p50 - direct", "q/s ratio", "JVM cpu ms/q", "Redis cpu ms/q", "other cores", "JIT ms");
    for (QueryPath p : paths) {
      LatencyRecorder r = results.get(p.label());
      boolean isDirect = r == direct;
      t.row(p.label(), Report.num(r.count(), 0), Report.ms(r.p50()), Report.ms(r.p90()), Report.ms(r.p99()),
          Report.ms(r.p999()), Report.num(r.throughput(), 0),
          isDirect ? "" : String.format(Locale.ROOT, "%+.3f ms", r.p50() - direct.p50()),
          isDirect ? "" : Report.ratio(r.throughput() / direct.throughput()), Report.ms(r.jvmCpuPerOp()),
          Report.ms(r.redisCpuPerOp()), Report.num(r.cpu().otherCores(), 2), Long.toString(r.cpu().jitMillis()));
    }
    t.print(report);
    if (!targets) {
      return;
    }
    if (concurrency == 1) {
      report.line("  (JVM cpu = load generator + in-process router; for the direct row it is the Jedis client alone."
          + " other cores = CPU of other processes on the machine during the cell)");
      report.line("  at concurrency 1 throughput = 1 / mean latency: >= 0.8x needs a mean overhead <= 0.25 x the direct"
          + " mean (%.3f ms), here %.3f ms", direct.meanMillis(), 0.25 * direct.meanMillis());
    } else {
      LatencyRecorder routed = results.get(paths.get(1).label());
      report.line("  at concurrency %d the cores are saturated, so latency ~= concurrency / throughput (Little's law):"
          + " %d / %.0f q/s = %.2f ms direct, %d / %.0f q/s = %.2f ms router; the p50 difference mirrors the"
          + " throughput loss", concurrency, concurrency, direct.throughput(), 1e3 * concurrency / direct.throughput(),
          concurrency, routed.throughput(), 1e3 * concurrency / routed.throughput());
      report.line("  CPU per query, direct: %.3f ms (JVM) + %.3f ms (Redis); router: %.3f + %.3f ms. All of it shares the"
          + " same cores here, so the throughput ratio is about the ratio of these sums (%.2fx).", direct.jvmCpuPerOp(),
          direct.redisCpuPerOp(), routed.jvmCpuPerOp(), routed.redisCpuPerOp(),
          (direct.jvmCpuPerOp() + direct.redisCpuPerOp()) / (routed.jvmCpuPerOp() + routed.redisCpuPerOp()));
      report.line("  estimate, not measured: with the router on its own cores (a sidecar in the application pod) Redis"
          + " CPU would bound throughput, ratio ~= %.3f / %.3f = %.2fx", direct.redisCpuPerOp(), routed.redisCpuPerOp(),
          direct.redisCpuPerOp() / routed.redisCpuPerOp());
    }
    for (int i = 1; i < Math.min(3, paths.size()); i++) {
      LatencyRecorder r = results.get(paths.get(i).label());
      String label = paths.get(i).label();
      double overhead = r.p50() - direct.p50();
      double ratio = r.throughput() / direct.throughput();
      report.line("  %-38s p50 overhead %.3f ms (target <= 0.3 ms: %s)   throughput %s (target >= 0.8x: %s)",
          label + ":", overhead, Report.met(overhead <= 0.3), Report.ratio(ratio), Report.met(ratio >= 0.8));
      String tag = "c=" + concurrency + ", " + label.substring("router, ".length());
      report.target("query p50 overhead, " + tag, Report.ms(overhead) + " ms", "<= 0.300 ms", overhead <= 0.3);
      report.target("query throughput router/direct, " + tag, Report.ratio(ratio), ">= 0.80x", ratio >= 0.8);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 1b. Where the router's time goes at concurrency 1

  private record BreakdownInputs(ShardEndpoint shard, String key, byte[][][] vsim, String path, byte[][] bodies) {}

  private BreakdownInputs breakdownInputs;

  /**
   * The router's query path taken apart, one layer at a time, each step at concurrency 1 on the same
   * queries: the Redis round trip it makes, the same through its ShardClient on the calling thread (as
   * the router runs it), the bare HTTP server, and the whole request.
   */
  private void breakdown() throws Exception {
    BreakdownInputs in = breakdownInputs;
    report.heading("1b. Where the router's time goes (concurrency 1, same queries, one layer at a time)");
    byte[] epochKey = DirectShard.bytes(io.vectorshard.core.redis.Keys.EPOCH);
    float[][] vectors = new float[QUERY_POOL][];
    SplittableRandom random = new SplittableRandom(config.seed() + 1);
    Dataset.Tenant tenant = data.tenants.get(0);
    for (int q = 0; q < QUERY_POOL; q++) {
      vectors[q] = data.queryFor(tenant, random); // the same draws as section 1
    }
    io.vectorshard.core.redis.ShardClient client = new io.vectorshard.core.redis.ShardClient(in.shard(), RedisShards.ROUTER,
        Duration.ofSeconds(1), 4);
    List<QueryPath> steps = new ArrayList<>();
    steps.add(new QueryPath("a. direct VSIM (the baseline of section 1)", () -> {
      Jedis jedis = DirectShard.open(in.shard());
      return jedisWorker(jedis, q -> jedis.sendCommand(Protocol.Command.VSIM, in.vsim()[q]));
    }));
    steps.add(new QueryPath("b. direct pipelined VSIM + GET vsc:epoch (the router's Redis round trip)", () -> {
      Jedis jedis = DirectShard.open(in.shard());
      return jedisWorker(jedis, q -> {
        Pipeline p = jedis.pipelined();
        p.sendCommand(Protocol.Command.VSIM, in.vsim()[q]);
        p.sendCommand(Protocol.Command.GET, epochKey);
        p.sync();
      });
    }));
    steps.add(new QueryPath("c. b via the router's ShardClient (pool, parse) on the calling thread", () ->
        q -> client.query(List.of(in.key()), vectors[q], config.topK(), config.ef(), null)));
    steps.add(new QueryPath("d. HTTP GET /healthz on the router (HTTP floor: no JSON body, no Redis)", () -> {
      RawHttpClient http = new RawHttpClient("127.0.0.1", router.port());
      return new LoadRunner.Worker() {
        @Override
        public void call(int q) throws IOException {
          check(http.send("GET", "/healthz", null), "healthz");
        }

        @Override
        public void close() {
          http.close();
        }
      };
    }));
    steps.add(new QueryPath("e. router POST /v1/tenants/{t}/query, withMetadata=false", () ->
        httpWorker(in.path(), in.bodies())));
    Map<String, LatencyRecorder> results = new LinkedHashMap<>();
    steps.forEach(p -> results.put(p.label(), new LatencyRecorder()));
    for (int round = 0; round < config.rounds(); round++) {
      for (QueryPath p : steps) {
        results.get(p.label()).add(LoadRunner.run(p.factory(), 1, QUERY_POOL, config.warmupNanos() / 2,
            config.cellNanos() * 3 / 5, meter));
      }
    }
    client.close();
    Report.Table t = new Report.Table("step", "p50 ms", "p90 ms", "p99 ms", "p50 vs a", "JVM cpu ms/q",
        "Redis cpu ms/q", "other cores");
    double base = results.get(steps.get(0).label()).p50();
    for (QueryPath p : steps) {
      LatencyRecorder r = results.get(p.label());
      t.row(p.label(), Report.ms(r.p50()), Report.ms(r.p90()), Report.ms(r.p99()),
          String.format(Locale.ROOT, "%+.3f", r.p50() - base), Report.ms(r.jvmCpuPerOp()), Report.ms(r.redisCpuPerOp()),
          Report.num(r.cpu().otherCores(), 2));
    }
    t.print(report);
    double b = results.get(steps.get(1).label()).p50();
    double c = results.get(steps.get(2).label()).p50();
    double d = results.get(steps.get(3).label()).p50();
    double e = results.get(steps.get(4).label()).p50();
    report.line("approximate split of the router's p50 overhead (e - a = %.3f ms): epoch GET in the pipeline %.3f,"
        + " ShardClient (pool, parse) %.3f, HTTP server round trip %.3f, the rest (JSON in/out,"
        + " routing, merge, metrics) %.3f", e - base, b - base, c - b, d, e - c - d);
  }

  private interface JedisCall {
    void call(int q);
  }

  private static LoadRunner.Worker jedisWorker(Jedis jedis, JedisCall call) {
    return new LoadRunner.Worker() {
      @Override
      public void call(int q) {
        call.call(q);
      }

      @Override
      public void close() {
        jedis.close();
      }
    };
  }

  // ---------------------------------------------------------------------------------------------
  // 3. Scatter-gather

  private int scatterWarmup() {
    return Math.max(50, config.scatterQueries() / 5);
  }

  private void scatterGather() throws Exception {
    report.heading("3. Scatter-gather: router POST /v1/search over " + config.shards()
        + " shards vs the slowest shard queried directly");
    Map<Integer, Map<String, String>> keysByShard = keysByShard();
    int shards = table.shards().size();
    List<DirectShard> sequential = new ArrayList<>();
    List<DirectShard> parallel = new ArrayList<>();
    List<ExecutorService> executors = new ArrayList<>();
    for (ShardEndpoint s : table.shards()) {
      sequential.add(new DirectShard(s, keysByShard.get(s.ordinal())));
      parallel.add(new DirectShard(s, keysByShard.get(s.ordinal())));
      executors.add(Executors.newSingleThreadExecutor(Thread.ofPlatform().name("direct-" + s.id()).factory()));
    }
    long[] slowestOf = new long[config.scatterQueries()];
    long[] routedOf = new long[config.scatterQueries()];
    LatencyRecorder slowest = new LatencyRecorder();
    LatencyRecorder sum = new LatencyRecorder();
    LatencyRecorder fanOut = new LatencyRecorder();
    LatencyRecorder slowestInFanOut = new LatencyRecorder();
    LatencyRecorder routed = new LatencyRecorder();
    LatencyRecorder[] perShard = new LatencyRecorder[shards];
    int[] slowestCount = new int[shards];
    for (int s = 0; s < shards; s++) {
      perShard[s] = new LatencyRecorder();
    }
    SplittableRandom random = new SplittableRandom(config.seed() + 2);
    int warm = scatterWarmup();
    try (RawHttpClient http = new RawHttpClient("127.0.0.1", router.port())) {
      for (int q = 0; q < warm + config.scatterQueries(); q++) {
        boolean measured = q >= warm;
        if (q == warm) {
          scatterCpuStart = meter.sample();
        }
        float[] v = data.queryForCorpus(random);
        byte[] blob = Fp32.encode(v);
        byte[] body = Bodies.search(v, config.topK(), config.ef(), tenantNames, "score", false);
        // Rotate the order of the three measurements so none always runs first.
        for (int step = 0; step < 3; step++) {
          switch ((q + step) % 3) {
            case 0 -> {
              long max = 0;
              long total = 0;
              int argmax = 0;
              for (int s = 0; s < shards; s++) {
                long before = System.nanoTime();
                sequential.get(s).query(blob, config.topK(), config.ef());
                long took = System.nanoTime() - before;
                total += took;
                if (took > max) {
                  max = took;
                  argmax = s;
                }
                if (measured) {
                  perShard[s].record(took);
                }
              }
              if (measured) {
                slowestOf[q - warm] = max;
                slowest.record(max);
                sum.record(total);
                slowestCount[argmax]++;
              }
            }
            case 1 -> {
              long before = System.nanoTime();
              List<Future<Long>> futures = new ArrayList<>(shards);
              for (int s = 0; s < shards; s++) {
                DirectShard shard = parallel.get(s);
                // Each call times itself on its own thread: the shard's time while the others run too.
                futures.add(executors.get(s).submit(() -> {
                  long start = System.nanoTime();
                  shard.query(blob, config.topK(), config.ef());
                  return System.nanoTime() - start;
                }));
              }
              long slowestHere = 0;
              for (Future<Long> f : futures) {
                slowestHere = Math.max(slowestHere, f.get());
              }
              if (measured) {
                fanOut.record(System.nanoTime() - before);
                slowestInFanOut.record(slowestHere);
              }
            }
            default -> {
              long before = System.nanoTime();
              RawHttpClient.Response r = http.post("/v1/search", body);
              long took = System.nanoTime() - before;
              check(r, "search");
              if (measured) {
                routedOf[q - warm] = took;
                routed.record(took);
              }
            }
          }
        }
      }
      scatterCpu = CpuMeter.between(scatterCpuStart, meter.sample());
    } finally {
      sequential.forEach(DirectShard::close);
      parallel.forEach(DirectShard::close);
      executors.forEach(ExecutorService::shutdownNow);
    }
    Report.Table t = new Report.Table("measured", "queries", "p50 ms", "p90 ms", "p99 ms", "p50 / slowest p50");
    for (int s = 0; s < shards; s++) {
      Map<String, String> keys = keysByShard.get(s);
      int vectors = data.tenants.stream().filter(x -> keys.containsValue(x.name())).mapToInt(Dataset.Tenant::size).sum();
      t.row(String.format(Locale.ROOT, "  shard-%d alone, direct (%d keys, %,d vectors; slowest in %d%% of queries)",
              s, keys.size(), vectors, Math.round(100.0 * slowestCount[s] / config.scatterQueries())),
          Report.num(perShard[s].count(), 0), Report.ms(perShard[s].p50()), Report.ms(perShard[s].p90()),
          Report.ms(perShard[s].p99()), Report.ratio(perShard[s].p50() / slowest.p50()));
    }
    t.row("slowest shard per query, direct (max of the above)", Report.num(slowest.count(), 0),
        Report.ms(slowest.p50()), Report.ms(slowest.p90()), Report.ms(slowest.p99()), "1.00x");
    t.row("sum of the shards, direct (a sequential fan-out)", Report.num(sum.count(), 0), Report.ms(sum.p50()),
        Report.ms(sum.p90()), Report.ms(sum.p99()), Report.ratio(sum.p50() / slowest.p50()));
    t.row("direct parallel fan-out, " + shards + " client threads", Report.num(fanOut.count(), 0),
        Report.ms(fanOut.p50()), Report.ms(fanOut.p90()), Report.ms(fanOut.p99()),
        Report.ratio(fanOut.p50() / slowest.p50()));
    t.row("  slowest shard within that concurrent fan-out (extra, see below)", Report.num(slowestInFanOut.count(), 0),
        Report.ms(slowestInFanOut.p50()), Report.ms(slowestInFanOut.p90()), Report.ms(slowestInFanOut.p99()),
        Report.ratio(slowestInFanOut.p50() / slowest.p50()));
    t.row("router POST /v1/search, " + tenantNames.size() + " tenants, withMetadata=false",
        Report.num(routed.count(), 0), Report.ms(routed.p50()), Report.ms(routed.p90()), Report.ms(routed.p99()),
        Report.ratio(routed.p50() / slowest.p50()));
    t.print(report);
    double ratio = routed.p50() / slowest.p50();
    report.line("scatter p50 / slowest-shard p50 = %s (target <= 1.5x: %s); direct parallel fan-out alone: %s",
        Report.ratio(ratio), Report.met(ratio <= 1.5), Report.ratio(fanOut.p50() / slowest.p50()));
    double[] perQuery = new double[slowestOf.length];
    for (int i = 0; i < perQuery.length; i++) {
      perQuery[i] = routedOf[i] / (double) slowestOf[i];
    }
    java.util.Arrays.sort(perQuery);
    report.line("paired: median over queries of (router time / slowest shard time for the same query vector) = %s",
        Report.ratio(perQuery[perQuery.length / 2]));
    // Each of the three measured ways runs the same VSIMs, so Redis CPU splits evenly over them.
    double redisPerQuery = scatterCpu.redisSeconds() * 1e3 / (3.0 * config.scatterQueries());
    int cores = Runtime.getRuntime().availableProcessors();
    report.line("Redis CPU per scatter query (%d VSIMs on %d shards): %.3f ms mean; with %d cores a parallel fan-out"
            + " cannot take less than %.3f ms on average, %.2f times the slowest shard's mean of %.3f ms, before any"
            + " router work and even with the machine to itself; other processes used %.2f cores meanwhile",
        tenantNames.size(), shards, redisPerQuery, cores, redisPerQuery / cores,
        redisPerQuery / cores / slowest.meanMillis(), slowest.meanMillis(), scatterCpu.otherCores());
    double concurrentRatio = routed.p50() / slowestInFanOut.p50();
    report.line("extra comparison (not the target): router p50 / p50 of the slowest shard timed inside the concurrent"
        + " direct fan-out = %s. With %d shards searching at once on %d cores each search takes longer than alone;"
        + " that row times the shards under the same contention, so this ratio isolates what the router adds to a"
        + " parallel fan-out. The target row above keeps the shard measured alone.", Report.ratio(concurrentRatio),
        shards, cores);
    report.target("scatter-gather p50 / slowest shard p50", Report.ratio(ratio), "<= 1.50x", ratio <= 1.5);
    scatterFanOutRatio = fanOut.p50() / slowest.p50();
    scatterConcurrentRatio = concurrentRatio;
  }

  private double scatterFanOutRatio;
  private double scatterConcurrentRatio;
  private CpuMeter.Sample scatterCpuStart;
  private CpuMeter.Usage scatterCpu = CpuMeter.Usage.NONE;

  /** Shard ordinal to (key to tenant) for every tenant, from the published table. */
  private Map<Integer, Map<String, String>> keysByShard() {
    Map<Integer, Map<String, String>> byShard = new LinkedHashMap<>();
    table.shards().forEach(s -> byShard.put(s.ordinal(), new LinkedHashMap<>()));
    for (String tenant : tenantNames) {
      for (BucketLocation b : table.bucketsOf(tenant)) {
        byShard.get(b.shard().ordinal()).put(b.key(), tenant);
      }
    }
    return byShard;
  }

  // ---------------------------------------------------------------------------------------------
  // 4. Recall of score merge vs RRF

  private void recall() throws Exception {
    report.heading("4. Recall@" + config.topK() + " of /v1/search merge=score vs merge=rrf, against brute force");
    Map<Integer, Map<String, String>> keysByShard = keysByShard();
    List<DirectShard> shards = new ArrayList<>();
    for (ShardEndpoint s : table.shards()) {
      shards.add(new DirectShard(s, keysByShard.get(s.ordinal())));
    }
    SplittableRandom random = new SplittableRandom(config.seed() + 3);
    int k = config.topK();
    int n = config.recallQueries();
    double scoreRecall = 0;
    double rrfRecall = 0;
    double unionRecall = 0;
    int scorePerfect = 0;
    int rrfPerfect = 0;
    int exactMerge = 0;
    int setsDiffer = 0;
    int orderDiffers = 0;
    long idsDiffering = 0;
    int spanning = 0;
    double shardsInExact = 0;
    double shardsInRrf = 0;
    double shardsInScore = 0;
    Map<String, Integer> shardOfTenant = new LinkedHashMap<>();
    data.tenants.forEach(t -> shardOfTenant.put(t.name(), ownerOf(t.name()).ordinal()));
    try (RawHttpClient http = new RawHttpClient("127.0.0.1", router.port())) {
      for (int q = 0; q < n; q++) {
        float[] v = data.queryForCorpus(random);
        List<String> exact = data.exactTopK(v, k).stream().map(s -> s.tenant() + "/" + s.id()).toList();
        List<String> byScore = searchIds(http, v, "score");
        List<String> byRrf = searchIds(http, v, "rrf");
        // The best any merge can do: the exact top-k of the union of what the shards answered.
        byte[] blob = Fp32.encode(v);
        List<DirectShard.Hit> union = new ArrayList<>();
        for (DirectShard s : shards) {
          union.addAll(s.query(blob, k, config.ef()));
        }
        List<String> unionTop = union.stream()
            .sorted(Comparator.comparingDouble(DirectShard.Hit::score).reversed()
                .thenComparing(DirectShard.Hit::tenant).thenComparing(DirectShard.Hit::id))
            .limit(k).map(h -> h.tenant() + "/" + h.id()).toList();

        double rs = overlap(exact, byScore) / (double) exact.size();
        double rr = overlap(exact, byRrf) / (double) exact.size();
        scoreRecall += rs;
        rrfRecall += rr;
        unionRecall += overlap(exact, unionTop) / (double) exact.size();
        scorePerfect += rs == 1.0 ? 1 : 0;
        rrfPerfect += rr == 1.0 ? 1 : 0;
        exactMerge += byScore.equals(unionTop) ? 1 : 0;
        int common = overlap(byScore, byRrf);
        if (common != byScore.size() || byScore.size() != byRrf.size()) {
          setsDiffer++;
        }
        idsDiffering += Math.max(byScore.size(), byRrf.size()) - common;
        orderDiffers += byScore.equals(byRrf) ? 0 : 1;
        int exactShards = distinctShards(exact, shardOfTenant);
        spanning += exactShards >= 2 ? 1 : 0;
        shardsInExact += exactShards;
        shardsInScore += distinctShards(byScore, shardOfTenant);
        shardsInRrf += distinctShards(byRrf, shardOfTenant);
      }
    } finally {
      shards.forEach(DirectShard::close);
    }
    report.line("%d queries drawn from the corpus mix; ground truth: exact cosine over the float32 vectors as sent;"
        + " stored vectors are %s", n, table.vectors().quantization() + " (quantized in Redis)");
    Report.Table t = new Report.Table("result list", "mean recall@" + k, "queries with recall 1.0",
        "mean shards in top-" + k);
    t.row("exact top-" + k + " (brute force)", "1.000", n + "/" + n, Report.num(shardsInExact / n, 2));
    t.row("best possible from the shards' answers (union, exact merge)", Report.num(unionRecall / n, 3), "", "");
    t.row("router merge=score (default)", Report.num(scoreRecall / n, 3), scorePerfect + "/" + n,
        Report.num(shardsInScore / n, 2));
    t.row("router merge=rrf (k=60)", Report.num(rrfRecall / n, 3), rrfPerfect + "/" + n,
        Report.num(shardsInRrf / n, 2));
    t.print(report);
    report.line("exact top-%d spans >= 2 shards in %d/%d queries", k, spanning, n);
    report.line("merge=score equals the exact top-%d of the shards' answers (computed here from direct VSIM): %d/%d",
        k, exactMerge, n);
    report.line("merge=score vs merge=rrf: different id sets in %d/%d queries (%.1f%%), different lists (set or order)"
        + " in %d/%d, on average %.2f of %d ids differ", setsDiffer, n, 100.0 * setsDiffer / n, orderDiffers, n,
        idsDiffering / (double) n, k);
    report.target("recall@" + k + " merge=score >= merge=rrf", Report.num(scoreRecall / n, 3) + " vs "
        + Report.num(rrfRecall / n, 3), "score >= rrf", scoreRecall >= rrfRecall);
    report.target("merge=score is the exact top-" + k + " of the shards' answers", exactMerge + "/" + n,
        n + "/" + n, exactMerge == n);
  }

  private List<String> searchIds(RawHttpClient http, float[] v, String merge) throws IOException {
    byte[] body = Bodies.search(v, config.topK(), config.ef(), tenantNames, merge, false);
    JsonNode results = JSON.readTree(check(http.post("/v1/search", body), "search").body()).get("results");
    List<String> ids = new ArrayList<>();
    for (JsonNode r : results) {
      ids.add(r.get("tenant").asText() + "/" + r.get("id").asText());
    }
    return ids;
  }

  private static int overlap(List<String> a, List<String> b) {
    Set<String> set = new HashSet<>(a);
    int n = 0;
    for (String x : b) {
      if (set.contains(x)) {
        n++;
      }
    }
    return n;
  }

  private static int distinctShards(List<String> ids, Map<String, Integer> shardOfTenant) {
    return (int) ids.stream().map(id -> shardOfTenant.get(id.substring(0, id.indexOf('/')))).distinct().count();
  }

  // ---------------------------------------------------------------------------------------------
  // Summary

  private void summary(long started) {
    report.heading("Summary of targets");
    Report.Table t = new Report.Table("figure", "measured", "target", "met");
    for (Report.Target target : report.targets()) {
      t.row(target.figure(), target.value(), target.target(), Report.met(target.met()));
    }
    t.print(report);
    long met = report.targets().stream().filter(Report.Target::met).count();
    report.line("%d of %d targets met.  Info (no target): ingest throughput router/direct %s; direct parallel"
        + " fan-out p50 / slowest shard p50 %s; router scatter p50 / slowest shard within a concurrent fan-out %s.",
        met, report.targets().size(), Report.ratio(ingestRatio), Report.ratio(scatterFanOutRatio),
        Report.ratio(scatterConcurrentRatio));
    report.line("total run time %.1f s; load average at the end %s", (System.nanoTime() - started) / 1e9,
        CpuMeter.loadAverage());
  }

  // ---------------------------------------------------------------------------------------------

  private String keyOf(String tenant) {
    return table.bucketsOf(tenant).get(0).key();
  }

  private ShardEndpoint ownerOf(String tenant) {
    return table.bucketsOf(tenant).get(0).shard();
  }

  private static RawHttpClient.Response check(RawHttpClient.Response response, String what) {
    if (response.status() / 100 != 2) {
      throw new IllegalStateException(what + ": router answered " + response.status() + " " + response.text());
    }
    return response;
  }
}
