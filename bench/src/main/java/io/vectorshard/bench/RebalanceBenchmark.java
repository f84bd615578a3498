package io.vectorshard.bench;

import io.vectorshard.api.PlacementSpec;
import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.api.VectorsSpec;
import io.vectorshard.core.placement.Placement;
import io.vectorshard.core.redis.Keys;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardClients;
import io.vectorshard.core.redis.ShardConnections;
import io.vectorshard.core.redis.ShardMoves;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.engine.rebalance.MoveMethod;
import io.vectorshard.engine.rebalance.PlannedMove;
import io.vectorshard.engine.rebalance.RebalanceListener;
import io.vectorshard.engine.rebalance.Rebalancer;
import io.vectorshard.router.RouterConfig;
import io.vectorshard.router.RouterServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * Online rebalancing, measured in one run next to the physical limits of the same shards
 * (docs/benchmarks.md, "Rebalancing"): moved fraction for 3 -> 4 against the ideal; atomic and
 * streamed moves in vectors/s against the target's own pipelined VADD rate and raw MIGRATE; the
 * longest stall of every shard (a PING every 10 ms from another client) while a big bucket streams
 * each way, against raw MIGRATE of the same bucket; the write pause at each streamed bucket's
 * switch; router write latency during moves against idle.
 *
 * <p>{@code bench/run.sh rebalance [--vectors N] [--dims D] [--buckets B] [--budget-ms M]}
 */
public final class RebalanceBenchmark {
  private static final String CLUSTER = "bench";
  /** The tenant whose bucket is the big one; pinned, so only the benchmark's own pins move it. */
  private static final String BIG = "big";

  private final int vectors;
  private final int dims;
  private final int streamedBuckets;
  private final Duration budget;
  private final Report report = new Report(System.out);
  /** Pins of tenants an earlier section moved, kept so later placements leave them where they are. */
  private final List<PlacementSpec.PinnedTenant> settled = new ArrayList<>();
  /** Figures the targets are checked against. */
  private double longestStreamStall;
  private long streamBudgetMillis;
  private double streamedVsVadd;
  private long pauseP99;
  private double writeP99Ratio;

  private RebalanceBenchmark(int vectors, int dims, int streamedBuckets, Duration budget) {
    this.vectors = vectors;
    this.dims = dims;
    this.streamedBuckets = streamedBuckets;
    this.budget = budget;
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    Map<String, String> options = Options.parse("RebalanceBenchmark", Map.of("--vectors", "20000", "--dims", "384",
        "--buckets", "12", "--budget-ms", "250"), args);
    new RebalanceBenchmark(Integer.parseInt(options.get("--vectors")), Integer.parseInt(options.get("--dims")),
        Integer.parseInt(options.get("--buckets")), Duration.ofMillis(Long.parseLong(options.get("--budget-ms")))).run();
  }

  private void run() throws Exception {
    long started = System.nanoTime();
    report.line("vectorshard rebalancing benchmark: moves against the shards' own limits, in one run");
    report.line("big bucket %d x %d-dim Q8, %d streamed buckets for the write pause, stall budget %d ms, %d cores",
        vectors, dims, streamedBuckets, budget.toMillis(), Runtime.getRuntime().availableProcessors());
    movedFraction();
    try (RedisShards shards = RedisShards.start(2); ShardClients clients = new ShardClients(RedisShards.ADMIN, Duration.ofSeconds(30))) {
      VectorShardClusterSpec spec = shards.spec(dims);
      spec.getVectors().setQuantization(VectorsSpec.Quantization.Q8);
      String big = BIG;
      spec.getPlacement().getPinned().add(new PlacementSpec.PinnedTenant(big, List.of(0)));
      RoutingTable table = shards.publish(CLUSTER, 1, spec);
      List<HostAndPort> seeds = shards.endpoints().stream().map(e -> new HostAndPort(e.host(), e.port())).toList();
      try (RouterServer router = RouterServer.start(RouterConfig.defaults(seeds).withPort(0).withCredentials(RedisShards.ROUTER))) {
        physicalLimitsAndStreaming(clients, shards, table, big, router);
      }
    }
    report.heading("Targets");
    goal("longest shard stall while a bucket streams", String.format(Locale.ROOT, "%.0f ms", longestStreamStall),
        "<= " + streamBudgetMillis + " ms (its budget)", longestStreamStall <= streamBudgetMillis);
    goal("write pause at a switch, p99", pauseP99 + " ms", "<= 100 ms", pauseP99 <= 100);
    goal("streaming rate alone / target VADD rate", String.format(Locale.ROOT, "%.2fx", streamedVsVadd), ">= 0.8x",
        streamedVsVadd >= 0.8);
    goal("router write p99 during moves / idle", String.format(Locale.ROOT, "%.2fx", writeP99Ratio), "<= 2x",
        writeP99Ratio <= 2);
    report.line("finished in %.0f s", (System.nanoTime() - started) / 1e9);
  }

  /** Contract 3 on many tenants: the fraction of buckets 3 -> 4 moves, against 1/4. */
  private void movedFraction() {
    report.heading("Moved fraction, 3 -> 4 shards (placement only)");
    Placement three = Placement.uniform(3);
    Placement four = Placement.uniform(4);
    int tenants = 10_000;
    long moved = IntStream.range(0, tenants).filter(t -> three.shardOf("t" + t, 0) != four.shardOf("t" + t, 0)).count();
    double fraction = (double) moved / tenants;
    report.line("%d of %d one-bucket tenants move: %.4f of them; ideal 1/4 = 0.2500; ratio %.3f", moved, tenants,
        fraction, fraction / 0.25);
  }

  /** The placement over the two shards with the big tenant on shard 0 and these tenants pinned to {@code shard}. */
  private Placement pinned(String prefix, int tenants, int shard) {
    PlacementSpec spec = new PlacementSpec();
    spec.getPinned().add(new PlacementSpec.PinnedTenant(BIG, List.of(0)));
    spec.getPinned().addAll(settled);
    for (int t = 0; t < tenants; t++) {
      spec.getPinned().add(new PlacementSpec.PinnedTenant(prefix + t, List.of(shard)));
    }
    return Placement.of(2, spec);
  }

  private void physicalLimitsAndStreaming(ShardClients clients, RedisShards shards, RoutingTable table, String big,
      RouterServer router) throws Exception {
    ShardEndpoint a = table.shards().get(0);
    ShardEndpoint b = table.shards().get(1);
    ShardMoves onA = clients.get(a).moves();
    ShardMoves onB = clients.get(b).moves();
    String key = Keys.bucket(big, 0, 1);

    report.heading("Physical limits of these shards");
    Duration vadd = onB.writeProbe("vsc:bench:vadd", table.vectors(), vectors, 1);
    double vaddRate = vectors / (vadd.toNanos() / 1e9);
    report.line("pipelined VADD on the target, %d vectors: %.0f vectors/s (%.1f s)", vectors, vaddRate, vadd.toNanos() / 1e9);
    long bytes = onB.bytesOf("vsc:bench:vadd");
    StallMeter stall = StallMeter.start(List.of(a, b));
    long t0 = System.nanoTime();
    onB.migrate("vsc:bench:vadd", a, Duration.ofSeconds(60));
    double migrateSeconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Double> migrateStall = stall.stop();
    report.line("raw MIGRATE of that set (%.1f MB): %.3f s, %.0f vectors/s, %.0f MB/s; longest PING stall %s",
        bytes / 1e6, migrateSeconds, vectors / migrateSeconds, bytes / 1e6 / migrateSeconds, format(migrateStall));
    onA.deleteProbe("vsc:bench:vadd");

    // The big tenant's bucket, written through the fenced function (like a router), on shard A.
    load(clients.get(a), table, big, key, vectors);
    report.heading("Streamed moves of one " + vectors + "-vector bucket: A -> B alone, B -> A while a writer runs");
    // Half of what MIGRATE of this very bucket size took: the bucket then streams, and the copier
    // sizes its chunks to this budget as it would in production.
    Duration streamBudget = Duration.ofMillis(Math.max(1, Math.min(budget.toMillis(), (long) (migrateSeconds * 1000 / 2))));
    streamBudgetMillis = streamBudget.toMillis();
    report.line("(stall budget %d ms: half of raw MIGRATE's time for this size, so the bucket streams)", streamBudget.toMillis());
    LatencyRecorder idle = writeLatencyTo(router, null, 0, new AtomicBoolean(), 3_000);
    LatencyRecorder during = new LatencyRecorder();
    List<Long> pauses = new ArrayList<>();
    for (int way = 0; way < 2; way++) {
      // The first way measures the copier against the physical limit on its own; in the second a
      // writer PUTs to the moving tenant, and each of its dual writes is a VADD on the same target.
      boolean writing = way == 1;
      RoutingTable live = liveTable(clients, table);
      int target = way == 0 ? 1 : 0;
      PlacementSpec placement = new PlacementSpec();
      placement.getPinned().add(new PlacementSpec.PinnedTenant(big, List.of(target)));
      RoutingTable goal = new RoutingTable(CLUSTER, live.epoch(), live.vectors(), live.shards(),
          Placement.of(2, placement));
      Recorder recorder = new Recorder();
      AtomicBoolean stop = new AtomicBoolean();
      LatencyRecorder[] written = {new LatencyRecorder()};
      Thread writers = writing
          ? Thread.ofPlatform().start(() -> written[0] = writeLatencyTo(router, null, 0, stop, Integer.MAX_VALUE))
          : null;
      StallMeter meter = StallMeter.start(List.of(a, b));
      long start = System.nanoTime();
      new Rebalancer(clients, streamBudget, null, recorder).run(live, goal);
      double seconds = (System.nanoTime() - start) / 1e9;
      Map<String, Double> stalls = meter.stop();
      longestStreamStall = Math.max(longestStreamStall, stalls.values().stream().mapToDouble(Double::doubleValue).max().orElse(0));
      stop.set(true);
      if (writers != null) {
        writers.join();
        during.add(written[0]);
      }
      pauses.addAll(recorder.pausesMillis);
      double rate = vectors / seconds;
      String name = way == 0 ? "A -> B alone:      " : "B -> A with writer:";
      report.line("%s %s, %.1f s, %.0f vectors/s (%.2fx the target's VADD rate); longest PING stall %s; write pause %s ms",
          name, recorder.methods, seconds, rate, rate / vaddRate, format(stalls), recorder.pausesMillis);
      if (writing) {
        double writes = written[0].count() / seconds;
        report.line("   with the writer's %.0f writes/s on the same target: %.0f VADDs/s there (%.2fx its VADD rate)",
            writes, rate + writes, (rate + writes) / vaddRate);
      } else {
        streamedVsVadd = rate / vaddRate;
      }
    }

    report.heading("Atomic moves (MIGRATE) of buckets that fit the budget");
    atomicMoves(clients, table, router);

    report.heading("Write pause at the switch of " + streamedBuckets + " streamed buckets, under writes");
    pauses.addAll(switchPauses(clients, table, router, during));
    List<Long> sorted = pauses.stream().sorted().toList();
    report.line("%d switches: write pause p50 %d ms, p99 %d ms, max %d ms (engine-measured: FENCED table to SWITCHED table)",
        sorted.size(), percentile(sorted, 50), percentile(sorted, 99), sorted.get(sorted.size() - 1));
    pauseP99 = percentile(sorted, 99);

    report.heading("Router write latency (PUT of one vector), idle vs during moves");
    report.line("idle:         %d writes, p50 %.2f ms, p99 %.2f ms, max %.1f ms", idle.count(), idle.p50(), idle.p99(), idle.maxMillis());
    report.line("during moves: %d writes, p50 %.2f ms, p99 %.2f ms, max %.1f ms; p99 ratio %.2fx",
        during.count(), during.p50(), during.p99(), during.maxMillis(), during.p99() / idle.p99());
    writeP99Ratio = during.p99() / idle.p99();
  }

  private void load(ShardClient shard, RoutingTable table, String tenant, String key, int n) {
    Random random = new Random(3);
    List<ShardClient.Write> batch = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      batch.add(new ShardClient.Write(key, "v" + i, vector(random), "{\"n\":" + i + "}"));
      if (batch.size() == 512 || i == n - 1) {
        shard.upsert(table.epoch(), tenant, table.vectors(), batch);
        batch.clear();
      }
    }
  }

  private float[] vector(Random random) {
    float[] v = new float[dims];
    for (int d = 0; d < dims; d++) {
      v[d] = (float) random.nextGaussian();
    }
    return v;
  }

  /** Many small tenants moved A -> B atomically: vectors/s and the longest stall. */
  private void atomicMoves(ShardClients clients, RoutingTable table, RouterServer router) throws InterruptedException {
    int tenants = 40;
    int each = Math.max(50, Math.min(2000, vectors / 40));
    RoutingTable live = liveTable(clients, table);
    RoutingTable start = new RoutingTable(CLUSTER, live.epoch() + 1, live.vectors(), live.shards(), pinned("small-", tenants, 0));
    new io.vectorshard.core.routing.RoutingPublisher(clients).publish(start);
    ShardClient a = clients.get(table.shards().get(0));
    for (int t = 0; t < tenants; t++) {
      load(a, start, "small-" + t, Keys.bucket("small-" + t, 0, 1), each);
    }
    Recorder recorder = new Recorder();
    StallMeter meter = StallMeter.start(table.shards());
    long t0 = System.nanoTime();
    new Rebalancer(clients, budget, null, recorder).run(start,
        new RoutingTable(CLUSTER, start.epoch(), live.vectors(), live.shards(), pinned("small-", tenants, 1)));
    double seconds = (System.nanoTime() - t0) / 1e9;
    for (int t = 0; t < tenants; t++) {
      settled.add(new PlacementSpec.PinnedTenant("small-" + t, List.of(1)));
    }
    report.line("%d buckets of %d vectors: %s, %.2f s in all, %.0f vectors/s; longest PING stall %s",
        tenants, each, recorder.methods, seconds, tenants * each / seconds, format(meter.stop()));
  }

  /** Buckets too big for the budget (a 1 ms budget makes every one stream), switched under writes. */
  private List<Long> switchPauses(ShardClients clients, RoutingTable table, RouterServer router, LatencyRecorder during)
      throws InterruptedException {
    RoutingTable live = liveTable(clients, table);
    RoutingTable start = new RoutingTable(CLUSTER, live.epoch() + 1, live.vectors(), live.shards(), pinned("w", streamedBuckets, 0));
    new io.vectorshard.core.routing.RoutingPublisher(clients).publish(start);
    ShardClient a = clients.get(table.shards().get(0));
    for (int t = 0; t < streamedBuckets; t++) {
      load(a, start, "w" + t, Keys.bucket("w" + t, 0, 1), 500);
    }
    Recorder recorder = new Recorder();
    AtomicBoolean stop = new AtomicBoolean();
    Thread writers = Thread.ofPlatform().start(() -> during.add(writeLatencyTo(router, "w", streamedBuckets, stop, Integer.MAX_VALUE)));
    new Rebalancer(clients, Duration.ofMillis(1), null, recorder).run(start,
        new RoutingTable(CLUSTER, start.epoch(), live.vectors(), live.shards(), pinned("w", streamedBuckets, 1)));
    stop.set(true);
    writers.join();
    report.line("%s; pauses %s ms", recorder.methods, recorder.pausesMillis);
    return recorder.pausesMillis;
  }

  private static RoutingTable liveTable(ShardClients clients, RoutingTable any) {
    return new io.vectorshard.engine.RoutingEngine(clients).observe(any.shards()).liveTable().orElseThrow();
  }

  /**
   * One writer PUTting single vectors through the router, {@code count} of them or until
   * {@code stop}: to the big tenant, or (with a prefix) to {@code tenants} tenants named by it.
   */
  private LatencyRecorder writeLatencyTo(RouterServer router, String prefix, int tenants, AtomicBoolean stop, int count) {
    LatencyRecorder recorder = new LatencyRecorder();
    Random random = new Random(9);
    try (RawHttpClient http = new RawHttpClient("127.0.0.1", router.port())) {
      for (int i = 0; i < count && !stop.get(); i++) {
        String tenant = prefix == null ? BIG : prefix + random.nextInt(tenants);
        StringBuilder body = new StringBuilder("{\"vector\":[");
        for (int d = 0; d < dims; d++) {
          body.append(d == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", random.nextGaussian()));
        }
        body.append("]}");
        long t0 = System.nanoTime();
        RawHttpClient.Response r = http.send("PUT", "/v1/tenants/" + tenant + "/vectors/x" + random.nextInt(1000),
            body.toString().getBytes(StandardCharsets.UTF_8));
        recorder.record(System.nanoTime() - t0);
        if (r.status() >= 300) {
          throw new IllegalStateException("write failed during the benchmark: " + r.status() + " " + r.text());
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return recorder;
  }

  private void goal(String figure, String value, String target, boolean met) {
    report.line("%-44s %-10s target %-28s %s", figure, value, target, met ? "met" : "MISSED");
  }

  private static long percentile(List<Long> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  private static String format(Map<String, Double> stalls) {
    return String.join(", ", stalls.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "%s %.0f ms", e.getKey(), e.getValue())).toList());
  }

  /** What the engine reported: methods used and switch pauses. */
  private static final class Recorder implements RebalanceListener {
    final List<Long> pausesMillis = new java.util.concurrent.CopyOnWriteArrayList<>();
    final Map<MoveMethod, AtomicLong> counts = new java.util.concurrent.ConcurrentHashMap<>();
    String methods = "";

    @Override
    public void moved(PlannedMove move, Duration took) {
      counts.computeIfAbsent(move.method(), m -> new AtomicLong()).incrementAndGet();
      methods = counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().name().toLowerCase(Locale.ROOT))
          .sorted().reduce((x, y) -> x + ", " + y).orElse("");
    }

    @Override
    public void writePause(PlannedMove move, Duration pause) {
      pausesMillis.add(pause.toMillis());
    }
  }

  /** A PING every 10 ms to each shard on its own connection; the longest round trip is the shard's longest stall. */
  private static final class StallMeter {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Map<String, Double> worst = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();

    static StallMeter start(List<ShardEndpoint> shards) {
      StallMeter meter = new StallMeter();
      for (ShardEndpoint s : shards) {
        meter.worst.put(s.id(), 0.0);
        meter.threads.add(Thread.ofPlatform().daemon().start(() -> {
          try (Jedis jedis = new Jedis(new HostAndPort(s.host(), s.port()), ShardConnections.clientConfig(RedisShards.ADMIN, 2_000, 60_000, "bench-stall-meter"))) {
            while (!meter.stop.get()) {
              long t0 = System.nanoTime();
              jedis.ping();
              double ms = (System.nanoTime() - t0) / 1e6;
              meter.worst.merge(s.id(), ms, Math::max);
              Thread.sleep(10);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }));
      }
      return meter;
    }

    Map<String, Double> stop() throws InterruptedException {
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
      return new java.util.TreeMap<>(worst);
    }
  }
}
