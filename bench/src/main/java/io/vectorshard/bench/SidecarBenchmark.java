package io.vectorshard.bench;

import io.vectorshard.api.PlacementSpec;
import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.core.routing.RouterEnvironment;
import io.vectorshard.core.routing.RouterJvm;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.testing.RedisShards;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import redis.clients.jedis.Jedis;

/**
 * The router as the sidecar every application pod runs: a process of its own, measured from the
 * outside (docs/benchmarks.md, "Sidecar footprint"): time from exec to ready, resident memory and
 * threads idle and under load, and CPU per tenant query next to the Redis CPU of the same queries,
 * through the router and sent straight to Redis, in one run. Each configuration is a JVM command
 * line and router environment; "before" is what local mode launched until this benchmark.
 *
 * <p>{@code bench/run.sh sidecar [--vectors N] [--seconds S] [--warmup S] [--clients C]}
 */
public final class SidecarBenchmark {
  private static final String CLUSTER = "bench";
  private static final String TENANT = "acme";
  private static final int DIMS = 128;
  private static final long TICK_NANOS = 10_000_000L; // USER_HZ = 100
  /** The configuration the goals are checked on: what {@link RouterJvm} launches. */
  private static final String AFTER = "after (RouterJvm";
  /** The row of an older build (bench/run.sh builds the one issue 10 was filed against). */
  private static final String BASELINE = "router at ";
  /** The command line local mode launched the router with until issue 10 (440b978's included). */
  private static final List<String> LOCAL_MODE_BEFORE = List.of("-XX:+UseSerialGC", "-Xmx512m");
  /** Keeps the JIT at its first tier: the row that shows why {@link RouterJvm} does not. */
  private static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

  /**
   * One way to run the router process. The flags are asked for at each start: the first, warming
   * start may write a class cache that the measured starts then read, and {@link RouterJvm} names
   * a different flag for each case.
   */
  record Variant(String name, Supplier<List<String>> jvmFlags, Map<String, String> env, String classpath) {
    /** A configuration of this build's router. */
    Variant(String name, Supplier<List<String>> jvmFlags, Map<String, String> env) {
      this(name, jvmFlags, env, RouterProcess.classpath());
    }
  }

  private final int vectors;
  private final Duration load;
  /**
   * Queries before the CPU is measured: long enough for the optimizing JIT to finish (a sidecar
   * serves for days), so the figures are steady state, not the compile of the first seconds.
   */
  private final Duration warmup;
  private final int clients;
  private final String baselineLabel;
  private final String baselineClasspath;
  private final Report report = new Report(System.out);
  private final Random random = new Random(3);
  private final Path work;
  /** The query vectors, the same through the router and straight to Redis. */
  private final List<float[]> queries = new ArrayList<>();

  private SidecarBenchmark(int vectors, Duration load, Duration warmup, int clients, String baselineLabel,
      String baselineClasspath) throws IOException {
    this.baselineLabel = baselineLabel;
    this.baselineClasspath = baselineClasspath;
    this.vectors = vectors;
    this.load = load;
    this.warmup = warmup;
    this.clients = clients;
    this.work = Files.createTempDirectory("vsc-sidecar-bench");
    for (int i = 0; i < 64; i++) {
      float[] q = new float[DIMS];
      for (int d = 0; d < DIMS; d++) {
        q[d] = random.nextFloat() - 0.5f;
      }
      queries.add(q);
    }
  }


  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    Map<String, String> options = Options.parse("SidecarBenchmark", Map.of("--vectors", "10000", "--seconds", "10",
        "--warmup", "20", "--clients", "4", "--baseline-label", "", "--baseline-classpath", ""), args);
    new SidecarBenchmark(Integer.parseInt(options.get("--vectors")), Duration.ofSeconds(Long.parseLong(options.get("--seconds"))),
        Duration.ofSeconds(Long.parseLong(options.get("--warmup"))), Integer.parseInt(options.get("--clients")),
        options.get("--baseline-label"), options.get("--baseline-classpath")).run();
  }

  private List<Variant> variants() {
    String jars = RouterProcess.classpath();
    String separate = RouterProcess.separateJars();
    Map<String, String> env = RouterJvm.environment();
    List<Variant> variants = new ArrayList<>(List.of(
        new Variant("before (local mode until now)", () -> LOCAL_MODE_BEFORE,
            Map.of(RouterEnvironment.HTTP_THREADS.variable(), "250", RouterEnvironment.MAX_CONNECTIONS_PER_SHARD.variable(), "32"),
            separate),
        new Variant("after, but the first JIT tier only", () -> {
          List<String> flags = new ArrayList<>(RouterJvm.flags(cacheDirectory("c1"), jars));
          flags.add(C1_ONLY);
          return flags;
        }, env),
        new Variant(AFTER + ", defaults)", () -> RouterJvm.flags(cacheDirectory("after"), jars), env)));
    if (!baselineClasspath.isEmpty()) {
      // An older build, launched as local mode launched it then. Builds from before the router's
      // ACL user authenticate as the default user: the administrator here.
      variants.add(1, new Variant(BASELINE + baselineLabel + ", as launched then", () -> LOCAL_MODE_BEFORE,
          Map.of(RouterEnvironment.REDIS_PASSWORD.variable(), RedisShards.ADMIN.password()), baselineClasspath));
    }
    if (!separate.equals(jars)) {
      // The same flags on the jars one by one: what the sidecar jar saves.
      variants.add(new Variant("after, on " + separate.split(java.io.File.pathSeparator).length + " separate jars instead",
          () -> RouterJvm.flags(cacheDirectory("jars"), separate), env, separate));
    }
    if (RouterJvm.bestCache(jars) == RouterJvm.ClassCache.AOT_CACHE) {
      // What a JDK before 25 gets, next to the AOT cache this one uses.
      variants.add(new Variant("after, class data archive instead (JDK 21-24)",
          () -> RouterJvm.flags(cacheDirectory("archive"), jars, RouterJvm.ClassCache.CLASS_DATA_ARCHIVE), env));
    }
    return variants;
  }

  private Path cacheDirectory(String variant) {
    try {
      return Files.createDirectories(work.resolve(variant));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** What one variant measured. */
  record Figures(String name, List<Long> readyMillis, long idleRssKb, long settledRssKb, long idleAnonKb, int idleThreads, long loadRssKb, int loadThreads,
      long queries, double routerCpuMicros, double redisCpuMicros) {}

  private void run() throws Exception {
    long started = System.nanoTime();
    report.line("vectorshard sidecar benchmark: the router process from the outside, next to direct Redis, in one run");
    report.line("%d vectors x %d dims for one tenant on 1 shard, %d clients for %d s per load phase after %d s of warm-up, %d cores, load %s",
        vectors, DIMS, clients, load.toSeconds(), warmup.toSeconds(), Runtime.getRuntime().availableProcessors(), CpuMeter.loadAverage());
    try (RedisShards shards = RedisShards.start(1)) {
      VectorShardClusterSpec spec = shards.spec(DIMS);
      spec.getPlacement().getPinned().add(new PlacementSpec.PinnedTenant(TENANT, List.of(0)));
      RoutingTable table = shards.publish(CLUSTER, 1, spec);
      ShardEndpoint shard = table.shards().get(0);
      long redisPid;
      try (Jedis admin = RedisShards.admin(shard.host(), shard.port())) {
        redisPid = Long.parseLong(info(admin.info("server"), "process_id"));
      }
      List<Figures> all = new ArrayList<>();
      boolean loaded = false;
      for (Variant variant : variants()) {
        // One start to warm the OS caches and, where the flags say so, write the class cache.
        RouterProcess warm = RouterProcess.start(variant.jvmFlags().get(), variant.env(), variant.classpath(), shard, work);
        if (!loaded) {
          load(warm.port);
          loaded = true;
        }
        warm.stop();
        List<Long> ready = new ArrayList<>();
        RouterProcess router = null;
        for (int i = 0; i < 3; i++) {
          if (router != null) {
            router.stop();
          }
          router = RouterProcess.start(variant.jvmFlags().get(), variant.env(), variant.classpath(), shard, work);
          ready.add(router.readyMillis);
        }
        Thread.sleep(3000);
        long idleRss = router.rssKb();
        long idleAnon = router.anonKb();
        int idleThreads = router.threads();
        // The JVM frees the JIT's arenas of the start about 5 s in (its chunk pool cleaner), and the
        // native heap trim gives them back: what an idle sidecar keeps from then on.
        Thread.sleep(12_000);
        long settledRss = router.rssKb();
        Loaded measured = queryLoad(router, redisPid);
        router.stop();
        all.add(new Figures(variant.name(), ready, idleRss, settledRss, idleAnon, idleThreads, measured.maxRssKb, measured.maxThreads,
            measured.queries, measured.routerCpuMicros, measured.redisCpuMicros));
      }
      double directRedis = directLoad(shard, table, redisPid);
      print(all, directRedis);
    }
    report.line("finished in %.0f s", (System.nanoTime() - started) / 1e9);
  }

  private void load(int port) throws Exception {
    try (RawHttpClient http = new RawHttpClient("127.0.0.1", port)) {
      for (int from = 0; from < vectors; from += 500) {
        StringBuilder body = new StringBuilder("{\"vectors\":[");
        for (int i = from; i < Math.min(vectors, from + 500); i++) {
          body.append(i == from ? "" : ",").append("{\"id\":\"v").append(i).append("\",\"vector\":").append(vector())
              .append(",\"metadata\":{\"n\":").append(i).append("}}");
        }
        body.append("]}");
        RawHttpClient.Response r = http.post("/v1/tenants/" + TENANT + "/vectors:batch", body.toString().getBytes(StandardCharsets.UTF_8));
        if (r.status() != 200) {
          throw new IllegalStateException("load failed: " + r.status() + " " + r.text());
        }
      }
    }
  }

  private String vector() {
    float[] v = new float[DIMS];
    for (int d = 0; d < DIMS; d++) {
      v[d] = random.nextFloat() - 0.5f;
    }
    return Bodies.vector(v);
  }

  private record Loaded(long queries, long maxRssKb, int maxThreads, double routerCpuMicros, double redisCpuMicros) {}

  /** Tenant queries through the router for the load phase; the router's and Redis's CPU per query. */
  private Loaded queryLoad(RouterProcess router, long redisPid) throws Exception {
    List<byte[]> bodies = queries.stream().map(q -> Bodies.tenantQuery(q, 10, 100, false)).toList();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong done = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int offset = c;
      threads.add(Thread.ofPlatform().start(() -> {
        try (RawHttpClient http = new RawHttpClient("127.0.0.1", router.port)) {
          for (int i = offset; !stop.get(); i++) {
            RawHttpClient.Response r = http.post("/v1/tenants/" + TENANT + "/query", bodies.get(i % bodies.size()));
            if (r.status() != 200) {
              throw new IllegalStateException("query failed: " + r.status() + " " + r.text());
            }
            done.incrementAndGet();
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    Thread.sleep(warmup.toMillis()); // the JIT and the pools reach their steady state
    long q0 = done.get();
    long r0 = cpuTicks(router.pid);
    long s0 = cpuTicks(redisPid);
    RouterProcess.Peak peak = router.peakOver(load, Duration.ofMillis(100));
    long queries = done.get() - q0;
    long r1 = cpuTicks(router.pid);
    long s1 = cpuTicks(redisPid);
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    return new Loaded(queries, peak.rssKb(), peak.threads(), (r1 - r0) * TICK_NANOS / 1e3 / queries, (s1 - s0) * TICK_NANOS / 1e3 / queries);
  }

  /** The same kind of query sent straight to the shard (VSIM ... WITHSCORES COUNT 10): Redis CPU per query. */
  private double directLoad(ShardEndpoint shard, RoutingTable table, long redisPid) throws Exception {
    String key = table.bucketsOf(TENANT).get(0).key();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong done = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    List<byte[][]> commands = new ArrayList<>();
    for (float[] q : queries) {
      List<String> args = new ArrayList<>(List.of(key, "VALUES", Integer.toString(DIMS)));
      for (float f : q) {
        args.add(Float.toString(f));
      }
      args.addAll(List.of("WITHSCORES", "COUNT", "10", "EF", "100"));
      commands.add(args.stream().map(a -> a.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new));
    }
    for (int c = 0; c < clients; c++) {
      int offset = c;
      threads.add(Thread.ofPlatform().start(() -> {
        try (Jedis jedis = RedisShards.admin(shard.host(), shard.port())) {
          for (int i = offset; !stop.get(); i++) {
            jedis.sendCommand(() -> "VSIM".getBytes(StandardCharsets.US_ASCII), commands.get(i % commands.size()));
            done.incrementAndGet();
          }
        }
      }));
    }
    Thread.sleep(1000);
    long q0 = done.get();
    long s0 = cpuTicks(redisPid);
    Thread.sleep(load.toMillis());
    long queries = done.get() - q0;
    long s1 = cpuTicks(redisPid);
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    report.line("direct Redis: %d queries in %d s", queries, load.toSeconds());
    return (s1 - s0) * TICK_NANOS / 1e3 / queries;
  }

  private void print(List<Figures> all, double directRedisMicros) {
    report.heading("The router process, idle and under " + clients + " clients of tenant queries");
    Report.Table table = new Report.Table("configuration", "ready ms (3 starts)", "idle RSS MB", "of it anon", "RSS at 15 s", "idle threads",
        "load RSS MB", "load threads", "queries/s", "router CPU us/q", "Redis CPU us/q", "router/Redis CPU");
    for (Figures f : all) {
      table.row(f.name(), f.readyMillis().toString(), Report.num(f.idleRssKb() / 1024.0, 0),
          Report.num(f.idleAnonKb() / 1024.0, 0), Report.num(f.settledRssKb() / 1024.0, 0), f.idleThreads(),
          Report.num(f.loadRssKb() / 1024.0, 0), f.loadThreads(), Report.num(f.queries() / (double) load.toSeconds(), 0),
          Report.num(f.routerCpuMicros(), 0), Report.num(f.redisCpuMicros(), 0),
          Report.ratio(f.routerCpuMicros() / f.redisCpuMicros()));
    }
    table.print(report);
    report.line("direct Redis, the same queries straight to the shard (VSIM ... COUNT 10 EF 100): Redis CPU %s us/query",
        Report.num(directRedisMicros, 0));
    Figures before = all.get(0);
    Figures after = all.stream().filter(f -> f.name().startsWith(AFTER)).findFirst().orElseThrow();
    report.heading("Goals (after, measured in this run)");
    goal("idle RSS, 3 s after ready", Report.num(after.idleRssKb() / 1024.0, 0) + " MB", "<= 64 MB", after.idleRssKb() <= 64 * 1024);
    goal("idle RSS, 15 s after ready", Report.num(after.settledRssKb() / 1024.0, 0) + " MB", "<= 64 MB",
        after.settledRssKb() <= 64 * 1024);
    goal("RSS under load", Report.num(after.loadRssKb() / 1024.0, 0) + " MB", "<= 128 MB", after.loadRssKb() <= 128 * 1024);
    double readyRatio = median(after.readyMillis()) / (double) median(before.readyMillis());
    goal("time to ready / before", Report.ratio(readyRatio), "<= 0.33x", readyRatio <= 1 / 3.0);
    // The goal's "today": the router when the issue was filed, where this run has it.
    all.stream().filter(f -> f.name().startsWith(BASELINE)).findFirst().ifPresent(then -> {
      double ratio = median(after.readyMillis()) / (double) median(then.readyMillis());
      goal("time to ready / " + BASELINE + baselineLabel, Report.ratio(ratio), "<= 0.33x", ratio <= 1 / 3.0);
    });
    double cpuRatio = after.routerCpuMicros() / after.redisCpuMicros();
    goal("router CPU per query / Redis CPU of the same query", Report.ratio(cpuRatio), "<= 0.15x", cpuRatio <= 0.15);
  }

  private void goal(String what, String value, String target, boolean met) {
    report.line("%-52s %10s  target %-9s %s", what, value, target, Report.met(met));
  }

  private static long median(List<Long> values) {
    long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
    return sorted[sorted.length / 2];
  }

  private static String info(String section, String field) {
    return Arrays.stream(section.split("\r?\n")).filter(l -> l.startsWith(field + ":")).findFirst()
        .map(l -> l.substring(field.length() + 1).trim()).orElseThrow();
  }

  /** utime + stime of a process, in clock ticks. */
  static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
}
