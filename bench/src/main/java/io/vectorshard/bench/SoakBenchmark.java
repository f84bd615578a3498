package io.vectorshard.bench;

import io.vectorshard.api.PlacementSpec;
import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.core.routing.RouterJvm;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.testing.RedisShards;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

/**
 * Normal and hostile clients of one router together, bounded in time (docs/benchmarks.md, "Soak"):
 * the normal clients' latency and error rate alone, then beside every hostile client this issue
 * reproduced at once: heavy queries, trickling uploads, large bodies in parallel, malformed
 * requests, and idle connections held open. The router runs as a sidecar would (a process of its
 * own, {@link RouterJvm}'s command line), in front of 2 real Redis shards.
 *
 * <p>{@code bench/run.sh soak [--seconds S]}
 */
public final class SoakBenchmark {
  private static final String CLUSTER = "bench";
  private static final int DIMS = 64;
  private static final int TENANTS = 8;

  private final Duration phase;
  private final Report report = new Report(System.out);

  private SoakBenchmark(Duration phase) {
    this.phase = phase;
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    Map<String, String> options = Options.parse("SoakBenchmark", Map.of("--seconds", "20"), args);
    new SoakBenchmark(Duration.ofSeconds(Long.parseLong(options.get("--seconds")))).run();
  }

  /** What one phase saw. */
  private record Figures(String name, LatencyRecorder normal, long normalErrors, Map<String, Long> hostile, long maxRssKb,
      int maxThreads) {}

  private void run() throws Exception {
    long started = System.nanoTime();
    report.line("vectorshard soak: normal clients alone, then beside hostile ones, on one router process");
    report.line("2 shards, %d tenants of %d dims, %d s per phase, %d cores, load %s", TENANTS, DIMS, phase.toSeconds(),
        Runtime.getRuntime().availableProcessors(), CpuMeter.loadAverage());
    Path work = Files.createTempDirectory("vsc-soak");
    try (RedisShards shards = RedisShards.start(2)) {
      VectorShardClusterSpec spec = shards.spec(DIMS);
      spec.getPlacement().getPinned().add(new PlacementSpec.PinnedTenant("noisy", List.of(0)));
      RoutingTable table = shards.publish(CLUSTER, 1, spec);
      ShardEndpoint seed = table.shards().get(0);
      RouterProcess router = RouterProcess.start(RouterJvm.flags(work, RouterProcess.classpath()), RouterJvm.environment(), seed, work);
      try {
        load(router.port);
        List<Figures> all = new ArrayList<>();
        all.add(phase("normal clients alone", router, false));
        all.add(phase("normal clients beside hostile ones", router, true));
        all.add(phase("normal clients alone, after", router, false));
        print(all);
      } finally {
        router.stop();
      }
    }
    report.line("finished in %.0f s", (System.nanoTime() - started) / 1e9);
  }

  private static String vector(Random random) {
    float[] v = new float[DIMS];
    for (int d = 0; d < DIMS; d++) {
      v[d] = random.nextFloat();
    }
    return Bodies.vector(v);
  }

  private static void load(int port) throws IOException {
    Random random = new Random(1);
    try (RawHttpClient http = new RawHttpClient("127.0.0.1", port)) {
      for (String tenant : tenants()) {
        StringBuilder body = new StringBuilder("{\"vectors\":[");
        for (int i = 0; i < 500; i++) {
          body.append(i == 0 ? "" : ",").append("{\"id\":\"v").append(i).append("\",\"vector\":").append(vector(random))
              .append(",\"metadata\":{\"tags\":[\"t").append(i % 50).append("\"]}}");
        }
        http.post("/v1/tenants/" + tenant + "/vectors:batch", body.append("]}").toString().getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static List<String> tenants() {
    List<String> tenants = new ArrayList<>(List.of("noisy"));
    for (int t = 1; t < TENANTS; t++) {
      tenants.add("t" + t);
    }
    return tenants;
  }

  private Figures phase(String name, RouterProcess router, boolean hostile) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    LatencyRecorder normal = new LatencyRecorder();
    AtomicLong normalErrors = new AtomicLong();
    Map<String, Long> hostileOutcomes = new ConcurrentHashMap<>();
    for (int c = 0; c < 4; c++) {
      int client = c;
      threads.add(Thread.ofPlatform().start(() -> normalClient(router.port, client, stop, normal, normalErrors)));
    }
    if (hostile) {
      startHostile(router.port, stop, threads, hostileOutcomes);
    }
    RouterProcess.Peak peak = router.peakOver(phase, Duration.ofMillis(200));
    stop.set(true);
    for (Thread t : threads) {
      t.join(Duration.ofSeconds(30));
    }
    report.line("%-40s done", name);
    return new Figures(name, normal, normalErrors.get(), new TreeMap<>(hostileOutcomes), peak.rssKb(), peak.threads());
  }

  /** Upserts, tenant queries and reads back, on tenants other than the noisy one. */
  private static void normalClient(int port, int client, AtomicBoolean stop, LatencyRecorder latency, AtomicLong errors) {
    Random random = new Random(100 + client);
    try (RawHttpClient http = new RawHttpClient("127.0.0.1", port)) {
      for (int i = 0; !stop.get(); i++) {
        String tenant = "t" + (1 + random.nextInt(TENANTS - 1));
        long t0 = System.nanoTime();
        RawHttpClient.Response r = switch (i % 3) {
          case 0 -> http.send("PUT", "/v1/tenants/" + tenant + "/vectors/n" + random.nextInt(1000),
              ("{\"vector\":" + vector(random) + "}").getBytes(StandardCharsets.UTF_8));
          case 1 -> http.post("/v1/tenants/" + tenant + "/query",
              ("{\"vector\":" + vector(random) + ",\"topK\":10}").getBytes(StandardCharsets.UTF_8));
          default -> http.send("GET", "/v1/tenants/" + tenant + "/vectors/v" + random.nextInt(500), null);
        };
        latency.record(System.nanoTime() - t0);
        if (r.status() >= 300) {
          errors.incrementAndGet();
        }
        Thread.sleep(5);
      }
    } catch (IOException | InterruptedException e) {
      errors.incrementAndGet();
    }
  }

  private static void startHostile(int port, AtomicBoolean stop, List<Thread> threads, Map<String, Long> outcomes) {
    Random random = new Random(9);
    StringBuilder filter = new StringBuilder();
    for (int i = 0; filter.length() < 970; i++) {
      filter.append(i == 0 ? "" : " or ").append("\\\"x").append(i).append("\\\" in .tags");
    }
    byte[] heavy = ("{\"vector\":" + vector(random) + ",\"topK\":100,\"ef\":10000,\"timeoutMs\":50,\"filterExpression\":\""
        + filter + "\"}").getBytes(StandardCharsets.UTF_8);
    byte[] overLimit = ("{\"vector\":" + vector(random) + ",\"topK\":1000,\"ef\":10000}").getBytes(StandardCharsets.UTF_8);
    for (int c = 0; c < 2; c++) {
      threads.add(loop(stop, () -> {
        try (RawHttpClient http = new RawHttpClient("127.0.0.1", port)) {
          while (!stop.get()) {
            count(outcomes, "heavy query", http.post("/v1/tenants/noisy/query", heavy).status());
            count(outcomes, "over-limit query", http.post("/v1/tenants/noisy/query", overLimit).status());
          }
        }
      }));
    }
    // Trickling uploads: one byte every 300 ms, reconnecting when cut off.
    for (int c = 0; c < 100; c++) {
      int id = c;
      threads.add(loop(stop, () -> {
        while (!stop.get()) {
          count(outcomes, "trickling upload", trickle(port, "slow-" + id, stop));
        }
      }));
    }
    // Large bodies in parallel: 4 clients each sending 12 MB at once (within the sidecar's 16 MiB limit).
    byte[] big = paddedUpsert(12 * 1024 * 1024);
    for (int c = 0; c < 4; c++) {
      threads.add(loop(stop, () -> {
        while (!stop.get()) {
          try (RawHttpClient http = new RawHttpClient("127.0.0.1", port)) {
            count(outcomes, "12 MB body", http.send("PUT", "/v1/tenants/t1/vectors/big", big).status());
          } catch (IOException refusedMidBody) {
            // A body refused before it was read: the router answers and closes while it is still sent.
            count(outcomes, "12 MB body", 0);
          }
        }
      }));
    }
    // Malformed requests: broken chunking, a path that is not UTF-8, an absurd length, a wrong method.
    List<String> malformed = List.of(
        "PUT /v1/tenants/t1/vectors/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"vec\r\nzz\r\n",
        "PUT /v1/tenants/t1/vectors/%FF HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
        "PUT /v1/tenants/t1/vectors/y HTTP/1.1\r\nHost: x\r\nContent-Length: 3000000000\r\n\r\n{}",
        "PATCH /v1/search HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
    threads.add(loop(stop, () -> {
      for (int i = 0; !stop.get(); i++) {
        count(outcomes, "malformed request", raw(port, malformed.get(i % malformed.size())));
      }
    }));
    // Idle connections held open (under the connection limit).
    threads.add(loop(stop, () -> {
      List<Socket> idle = new ArrayList<>();
      try {
        for (int i = 0; i < 200; i++) {
          idle.add(new Socket("127.0.0.1", port));
        }
        outcomes.merge("idle connections held", 200L, Long::sum);
        while (!stop.get()) {
          Thread.sleep(100);
        }
      } finally {
        for (Socket s : idle) {
          s.close();
        }
      }
    }));
  }

  private interface Body {
    void run() throws Exception;
  }

  private static Thread loop(AtomicBoolean stop, Body body) {
    return Thread.ofPlatform().start(() -> {
      try {
        body.run();
      } catch (Exception e) {
        if (!stop.get()) {
          System.err.println("hostile client ended: " + e);
        }
      }
    });
  }

  private static void count(Map<String, Long> outcomes, String kind, int status) {
    outcomes.merge(kind + " " + status, 1L, Long::sum);
  }

  private static byte[] paddedUpsert(int length) {
    String json = "{\"vector\":[" + "0.5,".repeat(DIMS - 1) + "0.5]}";
    return (json.substring(0, json.length() - 1) + " ".repeat(length - json.length()) + "}").getBytes(StandardCharsets.UTF_8);
  }

  /** An upload declaring 1,000 bytes and sending one every 300 ms; the status it ends with (0: none). */
  private static int trickle(int port, String id, AtomicBoolean stop) throws IOException, InterruptedException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(("PUT /v1/tenants/t1/vectors/" + id + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      for (int i = 0; i < 1000 && !stop.get() && in.available() == 0; i++) {
        try {
          out.write(' ');
          out.flush();
        } catch (IOException cut) {
          break;
        }
        Thread.sleep(300);
      }
      return status(in);
    }
  }

  private static int raw(int port, String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.shutdownOutput();
      return status(socket.getInputStream());
    }
  }

  /** The status code of the answer's first line, 0 if the connection ended without one. */
  private static int status(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
      line.append((char) b);
    }
    String[] parts = line.toString().split(" ");
    return parts.length > 1 && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : 0;
  }

  private void print(List<Figures> all) {
    report.heading("The normal clients (ms; errors: any answer >= 300)");
    Report.Table table = new Report.Table("phase", "requests", "p50", "p99", "max", "error rate", "router RSS MB max",
        "router threads max");
    for (Figures f : all) {
      table.row(f.name(), f.normal().count(), Report.ms(f.normal().p50()), Report.ms(f.normal().p99()),
          Report.ms(f.normal().maxMillis()), String.format(Locale.ROOT, "%.3f%%", 100.0 * f.normalErrors() / Math.max(1, f.normal().count())),
          Report.num(f.maxRssKb() / 1024.0, 0), f.maxThreads());
    }
    table.print(report);
    Figures quiet = all.get(0);
    Figures loud = all.get(1);
    report.line("normal p99 beside hostile clients / alone: %s", Report.ratio(loud.normal().p99() / quiet.normal().p99()));
    report.heading("The hostile clients' answers (kind, status: count)");
    loud.hostile().forEach((k, v) -> report.line("  %-32s %,d", k, v));
  }
}
