package io.vectorshard.bench;

import io.vectorshard.api.PlacementSpec;
import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.core.redis.ShardConnections;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.router.RouterConfig;
import io.vectorshard.router.RouterServer;
import io.vectorshard.router.query.QueryLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * One tenant's heavy queries against a shard's other work, measured in one run on the same shard
 * and data (docs/benchmarks.md, "Hostile queries"): a router without the query limits and the
 * search bulkhead (what main did before them) next to one with the defaults. While hostile clients
 * send the heaviest queries each router accepts, with a 50 ms deadline, a writer upserts into the
 * very vector set they search, another tenant queries, and a probe PINGs the shard every 10 ms.
 * Redis cannot cancel a search, so the figure that matters is what the shard's other clients see.
 *
 * <p>{@code bench/run.sh hostile [--vectors N] [--hostile-clients C] [--seconds S]}
 */
public final class HostileQueryBenchmark {
  private static final String CLUSTER = "bench";
  private static final String NOISY = "noisy";
  private static final String VICTIM = "victim";
  private static final int DIMS = 64;
  private static final int TAGS = 20;
  /** Limits so high they never apply: the router as it was before QueryLimits and the bulkhead. */
  private static final QueryLimits UNBOUNDED = new QueryLimits(1000, 10_000, Long.MAX_VALUE, 1 << 20, Long.MAX_VALUE,
      1_000_000, 1_000_000);

  private final int vectors;
  private final int hostileClients;
  private final Duration phase;
  private final Report report = new Report(System.out);
  private final Random random = new Random(5);

  private HostileQueryBenchmark(int vectors, int hostileClients, Duration phase) {
    this.vectors = vectors;
    this.hostileClients = hostileClients;
    this.phase = phase;
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    Map<String, String> options = Options.parse("HostileQueryBenchmark", Map.of("--vectors", "20000", "--hostile-clients", "4",
        "--seconds", "8"), args);
    new HostileQueryBenchmark(Integer.parseInt(options.get("--vectors")), Integer.parseInt(options.get("--hostile-clients")),
        Duration.ofSeconds(Long.parseLong(options.get("--seconds")))).run();
  }

  /** What one phase saw. */
  private record Figures(String name, LatencyRecorder ping, LatencyRecorder writes, LatencyRecorder victimQueries,
      long victimErrors, Map<Integer, Long> hostileStatuses, double drainSeconds) {}

  private void run() throws Exception {
    long started = System.nanoTime();
    report.line("vectorshard hostile-query benchmark: a shard's other clients while one tenant sends heavy queries");
    report.line("%d vectors x %d dims with %d tags each in one vector set, %d hostile clients, %d s per phase, %d cores",
        vectors, DIMS, TAGS, hostileClients, phase.toSeconds(), Runtime.getRuntime().availableProcessors());
    try (RedisShards shards = RedisShards.start(1)) {
      VectorShardClusterSpec spec = shards.spec(DIMS);
      spec.getPlacement().getPinned().add(new PlacementSpec.PinnedTenant(NOISY, List.of(0)));
      spec.getPlacement().getPinned().add(new PlacementSpec.PinnedTenant(VICTIM, List.of(0)));
      RoutingTable table = shards.publish(CLUSTER, 1, spec);
      ShardEndpoint shard = table.shards().get(0);
      List<HostAndPort> seeds = List.of(new HostAndPort(shard.host(), shard.port()));
      RouterConfig base = RouterConfig.defaults(seeds).withPort(0).withCredentials(RedisShards.ROUTER);
      List<Figures> all = new ArrayList<>();
      try (RouterServer unbounded = RouterServer.start(base.withLimits(UNBOUNDED))) {
        load(unbounded);
        report.heading("Phases (each router alone on the shard, the shard drained in between)");
        all.add(phase("without limits, quiet", unbounded, shard, null));
        all.add(phase("without limits, hostile", unbounded, shard, hostileBody(3500, 1000, 10_000)));
      }
      try (RouterServer bounded = RouterServer.start(base)) {
        Figures refused = phase("with limits, the same hostile query", bounded, shard, hostileBody(3500, 1000, 10_000));
        all.add(refused);
        // The heaviest query the default limits accept: 1,000 characters of filter (so FILTER-EF 128),
        // topK x ef at its bound.
        all.add(phase("with limits, heaviest accepted", bounded, shard, hostileBody(1000, 100, 10_000)));
      }
      print(all);
      abandoned(table);
    }
    report.line("finished in %.0f s", (System.nanoTime() - started) / 1e9);
  }

  /**
   * What Redis 8.0 does with searches a client gave up on: it cannot cancel them, so each runs to
   * its end, and the next write to the set waits for all of them. Measured straight on the shard:
   * n searches, each abandoned after 50 ms (its connection closed, as the router does at a
   * deadline), then one VADD to the set, timed. The unbounded search is the hostile query above
   * (FILTER-EF: Redis's default for topK 10); the bounded one is the heaviest the limits accept.
   */
  private void abandoned(RoutingTable table) throws InterruptedException {
    ShardEndpoint shard = table.shards().get(0);
    String key = table.bucketsOf(NOISY).get(0).key();
    report.heading("Searches given up on keep running: the next write to the set waits (ms)");
    Report.Table out = new Report.Table("abandoned searches", "unbounded (3.5 KB filter, FILTER-EF 1000)",
        "bounded (1 KB filter, FILTER-EF 128)");
    for (int n : new int[] {1, 4, 16}) {
      out.row(n, Report.ms(abandonThenWrite(shard, key, n, 3500, 1000, table)),
          Report.ms(abandonThenWrite(shard, key, n, 1000, 128, table)));
    }
    out.print(report);
    report.line("(the router holds a timed-out search's bulkhead permits for one shard timeout more, so one router");
    report.line(" keeps at most its search budget of such work on a shard; several routers add up)");
  }

  private double abandonThenWrite(ShardEndpoint shard, String key, int searches, int filterChars, int filterEf,
      RoutingTable table) throws InterruptedException {
    StringBuilder filter = new StringBuilder();
    for (int i = 0; filter.length() < filterChars - 30; i++) {
      filter.append(i == 0 ? "" : " or ").append("\"x").append(i).append("\" in .tags");
    }
    List<String> search = new ArrayList<>(List.of(key, "VALUES", Integer.toString(DIMS)));
    List<String> add = new ArrayList<>(List.of(key, "VALUES", Integer.toString(DIMS)));
    for (int d = 0; d < DIMS; d++) {
      search.add(Float.toString(random.nextFloat()));
      add.add(Float.toString(random.nextFloat()));
    }
    search.addAll(List.of("COUNT", "10", "EF", "200", "FILTER", filter.toString(), "FILTER-EF", Integer.toString(filterEf)));
    add.addAll(List.of("abandon-probe", table.vectors().quantization().name(), "M", Integer.toString(table.vectors().m()),
        "EF", Integer.toString(table.vectors().efConstruction())));
    for (int i = 0; i < searches; i++) {
      try (Jedis client = new Jedis(new HostAndPort(shard.host(), shard.port()),
          ShardConnections.clientConfig(RedisShards.ADMIN, 2_000, 50, "bench-abandon"))) {
        client.sendCommand(() -> "VSIM".getBytes(StandardCharsets.US_ASCII), search.toArray(new String[0]));
      } catch (RuntimeException timedOut) {
        // given up on at 50 ms, as the router does at a deadline
      }
    }
    try (Jedis jedis = admin(shard)) {
      long t0 = System.nanoTime();
      jedis.sendCommand(() -> "VADD".getBytes(StandardCharsets.US_ASCII), add.toArray(new String[0]));
      double millis = (System.nanoTime() - t0) / 1e6;
      Thread.sleep(200);
      return millis;
    }
  }

  /** The noisy tenant's vectors with tags, and a few of the victim's. */
  private void load(RouterServer router) throws Exception {
    long t0 = System.nanoTime();
    try (RawHttpClient http = new RawHttpClient("127.0.0.1", router.port())) {
      for (int from = 0; from < vectors; from += 500) {
        StringBuilder body = new StringBuilder("{\"vectors\":[");
        for (int i = from; i < Math.min(vectors, from + 500); i++) {
          body.append(i == from ? "" : ",").append("{\"id\":\"e").append(i).append("\",\"vector\":").append(vector())
              .append(",\"metadata\":{\"tags\":[");
          for (int t = 0; t < TAGS; t++) {
            body.append(t == 0 ? "" : ",").append("\"t").append(random.nextInt(500)).append('"');
          }
          body.append("]}}");
        }
        body.append("]}");
        check(http.post("/v1/tenants/" + NOISY + "/vectors:batch", body.toString().getBytes(StandardCharsets.UTF_8)), 200);
      }
      for (int i = 0; i < 100; i++) {
        check(http.send("PUT", "/v1/tenants/" + VICTIM + "/vectors/v" + i,
            ("{\"vector\":" + vector() + "}").getBytes(StandardCharsets.UTF_8)), 201);
      }
    }
    report.line("loaded %d vectors in %.1f s", vectors, (System.nanoTime() - t0) / 1e9);
  }

  /** A raw filter of about {@code filterChars} characters that matches nothing, so every candidate is tried. */
  private byte[] hostileBody(int filterChars, int topK, int ef) {
    StringBuilder filter = new StringBuilder();
    for (int i = 0; filter.length() < filterChars - 30; i++) {
      filter.append(i == 0 ? "" : " or ").append("\"x").append(i).append("\" in .tags");
    }
    return String.format(Locale.ROOT, "{\"vector\":%s,\"topK\":%d,\"ef\":%d,\"timeoutMs\":50,\"filterExpression\":\"%s\"}",
        vector(), topK, ef, filter.toString().replace("\"", "\\\"")).getBytes(StandardCharsets.UTF_8);
  }

  private String vector() {
    float[] v = new float[DIMS];
    for (int d = 0; d < DIMS; d++) {
      v[d] = random.nextFloat();
    }
    return Bodies.vector(v);
  }

  private Figures phase(String name, RouterServer router, ShardEndpoint shard, byte[] hostile) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    LatencyRecorder ping = new LatencyRecorder();
    LatencyRecorder writes = new LatencyRecorder();
    LatencyRecorder victim = new LatencyRecorder();
    AtomicLong victimErrors = new AtomicLong();
    Map<Integer, Long> hostileStatuses = new ConcurrentHashMap<>();
    threads.add(Thread.ofPlatform().start(() -> {
      try (Jedis jedis = admin(shard)) {
        while (!stop.get()) {
          long t0 = System.nanoTime();
          jedis.ping();
          ping.record(System.nanoTime() - t0);
          Thread.sleep(10);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    byte[] write = ("{\"vector\":" + vector() + ",\"metadata\":{\"tags\":[\"t1\"]}}").getBytes(StandardCharsets.UTF_8);
    byte[] query = ("{\"vector\":" + vector() + ",\"topK\":10}").getBytes(StandardCharsets.UTF_8);
    threads.add(loop(stop, router, http -> {
      // Into the vector set the hostile queries search: a VADD there waits for the searches running on it.
      long t0 = System.nanoTime();
      RawHttpClient.Response r = http.send("PUT", "/v1/tenants/" + NOISY + "/vectors/w" + random.nextInt(100), write);
      writes.record(System.nanoTime() - t0);
      if (r.status() >= 300) {
        victimErrors.incrementAndGet();
      }
      Thread.sleep(20);
    }));
    threads.add(loop(stop, router, http -> {
      long t0 = System.nanoTime();
      RawHttpClient.Response r = http.post("/v1/tenants/" + VICTIM + "/query", query);
      victim.record(System.nanoTime() - t0);
      if (r.status() != 200) {
        victimErrors.incrementAndGet();
      }
      Thread.sleep(20);
    }));
    for (int c = 0; hostile != null && c < hostileClients; c++) {
      threads.add(loop(stop, router, http -> hostileStatuses.merge(
          http.post("/v1/tenants/" + NOISY + "/query", hostile).status(), 1L, Long::sum)));
    }
    Thread.sleep(phase.toMillis());
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    double drain = drain(router);
    report.line("%-40s done; shard busy %.1f s more with searches left behind", name, drain);
    return new Figures(name, ping, writes, victim, victimErrors.get(), new TreeMap<>(hostileStatuses), drain);
  }

  private interface Step {
    void run(RawHttpClient http) throws Exception;
  }

  private static Thread loop(AtomicBoolean stop, RouterServer router, Step step) {
    return Thread.ofPlatform().start(() -> {
      try (RawHttpClient http = new RawHttpClient("127.0.0.1", router.port())) {
        while (!stop.get()) {
          step.run(http);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /**
   * Seconds until a write to the searched vector set answers promptly again: searches the router
   * gave up on keep running on Redis, and a write waits for every search running on its set (a
   * PING alone would not notice: the searches run on Redis's worker threads). Done when three
   * writes in a row answer within 50 ms; at most two minutes.
   */
  private double drain(RouterServer router) throws Exception {
    long t0 = System.nanoTime();
    byte[] write = ("{\"vector\":" + vector() + "}").getBytes(StandardCharsets.UTF_8);
    try (RawHttpClient http = new RawHttpClient("127.0.0.1", router.port())) {
      int prompt = 0;
      double probing = 0;
      while (prompt < 3 && System.nanoTime() - t0 < Duration.ofMinutes(2).toNanos()) {
        long w0 = System.nanoTime();
        int status = http.send("PUT", "/v1/tenants/" + NOISY + "/vectors/drain-probe", write).status();
        long took = System.nanoTime() - w0;
        boolean fast = status < 300 && took < 50_000_000;
        prompt = fast ? prompt + 1 : 0;
        probing = fast ? probing + took / 1e9 : 0;
      }
      return Math.max(0, (System.nanoTime() - t0) / 1e9 - probing);
    }
  }

  private static Jedis admin(ShardEndpoint shard) {
    return new Jedis(new HostAndPort(shard.host(), shard.port()),
        ShardConnections.clientConfig(RedisShards.ADMIN, 2_000, 300_000, "bench-hostile"));
  }

  private static void check(RawHttpClient.Response response, int status) {
    if (response.status() != status) {
      throw new IllegalStateException("expected " + status + ", got " + response.status() + ": " + response.text());
    }
  }

  private void print(List<Figures> all) {
    report.heading("What the shard's other clients saw (ms)");
    Report.Table table = new Report.Table("phase", "PING p99", "PING max", "write p50", "write p99", "write max",
        "other tenant p99", "errors", "hostile answers", "drain s");
    for (Figures f : all) {
      table.row(f.name(), Report.ms(f.ping().p99()), Report.ms(f.ping().maxMillis()), Report.ms(f.writes().p50()),
          Report.ms(f.writes().p99()), Report.ms(f.writes().maxMillis()), Report.ms(f.victimQueries().p99()),
          f.victimErrors(), f.hostileStatuses().isEmpty() ? "-" : f.hostileStatuses().toString(),
          Report.num(f.drainSeconds(), 1));
    }
    table.print(report);
    Figures quiet = all.get(0);
    report.heading("Ratios to the quiet phase (same shard, same run)");
    for (Figures f : all.subList(1, all.size())) {
      report.line("%-40s write p99 %s, write max %s, PING max %s", f.name(),
          Report.ratio(f.writes().p99() / quiet.writes().p99()), Report.ratio(f.writes().maxMillis() / quiet.writes().maxMillis()),
          Report.ratio(f.ping().maxMillis() / quiet.ping().maxMillis()));
    }
  }
}
