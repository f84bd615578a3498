package io.vectorshard.cli.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.cli.Vsc;
import io.vectorshard.core.redis.ShardClients;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.spec.ClusterManifests;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.engine.RoutingEngine;
import io.vectorshard.engine.TablePlanner;
import io.vectorshard.local.LocalCluster;
import io.vectorshard.local.LocalCredentials;
import io.vectorshard.local.LocalState;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Online rebalancing under load, with real Redis 8 processes, a real router process and
 * {@code vsc local apply} in its own JVM, killed ({@code SIGKILL}) at random points and run again
 * until it finishes. Writers keep upserting and deleting through the router, each owning its ids,
 * and record every acknowledged operation; a reader keeps querying. The cluster goes 3 -> 4 -> 2
 * -> 3 shards, re-pins a tenant, then changes the spread of the big tenant (1 -> 3 -> 2 buckets)
 * and of a small one (1 -> 2), with a stall budget that the small tenants fit and the big one does
 * not (so every move method runs). Afterwards every acknowledged write reads back with
 * its last value, every acknowledged delete stays deleted, no query returned another tenant's id,
 * and no key sits off its home (contract 1 and 2).
 *
 * <p>Seeds: {@code -Dvsc.chaos.seeds=1,2,3} (default two). For a long run, {@code -Dvsc.chaos.rounds=N}
 * repeats the whole sequence N times per seed (see docs/architecture.md, "Moving data").
 */
class RebalanceChaosTest {
  static final int DIMS = 8;
  static final int TENANTS = 24;
  static final String BIG = "big";
  static final ObjectMapper JSON = new ObjectMapper();
  /** Failed writes by status and message (digits masked), printed with the figures. */
  static final Map<String, Integer> FAILURES = new ConcurrentHashMap<>();

  @TempDir
  Path work;

  static List<Long> seeds() {
    return java.util.Arrays.stream(System.getProperty("vsc.chaos.seeds", "1,2").split(",")).map(String::trim)
        .map(Long::parseLong).toList();
  }

  /** What a writer last had acknowledged for an id: a vector, or deleted (null). */
  record Known(float[] vector) {}

  @ParameterizedTest
  @MethodSource("seeds")
  void acknowledgedWritesSurviveTransitionsWhoseEngineIsKilled(long seed) throws Exception {
    Random random = new Random(seed);
    int base = RedisShards.freePortRange(6);
    int routerPort = RedisShards.freePortRange(1);
    Path stateDir = work.resolve("state");
    String name = "chaos";
    ByteArrayOutputStream upLog = new ByteArrayOutputStream();
    LocalCluster local = new LocalCluster(stateDir, new PrintStream(upLog, true));
    Path m3 = manifest(name, 3, routerPort, "", "");
    local.up(ClusterManifests.read(m3), new LocalCluster.UpOptions(base, "127.0.0.1"));
    String router = "http://127.0.0.1:" + routerPort;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    try {
      preload(http, router, random);
      Map<String, Known> known = new ConcurrentHashMap<>();
      Map<String, Boolean> uncertain = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong acknowledged = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      AtomicLong queries = new AtomicLong();
      List<String> foreign = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        int writer = w;
        long writerSeed = seed * 31 + w;
        threads.add(Thread.ofPlatform().name("writer-" + w).start(() ->
            write(http, router, writer, new Random(writerSeed), stop, known, uncertain, acknowledged, failed)));
      }
      threads.add(Thread.ofPlatform().name("reader").start(() -> read(http, router, new Random(seed), stop, queries, foreign)));

      String pinned = "t" + random.nextInt(TENANTS);
      String spread = "t" + ((Integer.parseInt(pinned.substring(1)) + 1) % TENANTS);
      // Spread changes re-bucket the big tenant (streamed elementwise) and a small one, then narrow
      // the big one again while the small one keeps its new spread.
      List<Path> steps = List.of(manifest(name, 4, routerPort, "", ""), manifest(name, 2, routerPort, "", ""),
          manifest(name, 3, routerPort, "", ""), manifest(name, 3, routerPort, pinned + ":[0]", ""),
          manifest(name, 3, routerPort, pinned + ":[0]", BIG + ":3," + spread + ":2"),
          manifest(name, 3, routerPort, pinned + ":[0]", BIG + ":2," + spread + ":2"));
      int rounds = Integer.getInteger("vsc.chaos.rounds", 1);
      int kills = 0;
      for (int round = 0; round < rounds; round++) {
        for (Path step : steps) {
          kills += applyWithKills(stateDir, step, random);
        }
        if (round + 1 < rounds) {
          kills += applyWithKills(stateDir, m3, random);
        }
      }
      Thread.sleep(500);
      stop.set(true);
      for (Thread t : threads) {
        t.join(30_000);
      }

      assertThat(kills).as("apply runs killed").isPositive();
      assertThat(acknowledged.get()).as("acknowledged writes").isGreaterThan(200);
      assertThat(queries.get()).as("queries").isGreaterThan(20);
      assertThat(foreign).as("ids of another tenant in a query's answer").isEmpty();
      int checked = 0;
      for (Map.Entry<String, Known> e : known.entrySet()) {
        if (uncertain.containsKey(e.getKey())) {
          continue; // its last operation failed: either outcome is allowed
        }
        String[] parts = e.getKey().split("/");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(router + "/v1/tenants/" + parts[0] + "/vectors/" + parts[1]))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (e.getValue().vector() == null) {
          assertThat(r.statusCode()).as("deleted %s", e.getKey()).isEqualTo(404);
        } else {
          assertThat(r.statusCode()).as("written %s: %s", e.getKey(), r.body()).isEqualTo(200);
          JsonNode v = JSON.readTree(r.body()).get("vector");
          for (int d = 0; d < DIMS; d++) {
            assertThat(v.get(d).floatValue()).as("%s[%d]", e.getKey(), d)
                .isCloseTo(e.getValue().vector()[d], org.assertj.core.data.Offset.offset(1e-3f + Math.abs(e.getValue().vector()[d]) * 1e-3f));
          }
        }
        checked++;
      }
      assertThat(checked).isGreaterThan(100);
      // No key off its home: the live table has no transition and every bucket is where it says.
      LocalState state = LocalState.read(stateDir.resolve(name)).orElseThrow();
      List<ShardEndpoint> endpoints = state.shards().stream().map(s -> ShardEndpoint.of(s.ordinal(), "127.0.0.1", s.port())).toList();
      try (ShardClients clients = new ShardClients(LocalCredentials.read(stateDir.resolve(name)).adminCredentials(), Duration.ofSeconds(5))) {
        RoutingEngine.Observation observed = new RoutingEngine(clients).observe(endpoints);
        RoutingTable live = observed.liveTable().orElseThrow();
        assertThat(live.transition()).isNull();
        assertThat(live.shards()).hasSize(3);
        assertThat(live.placement().pinned()).containsKey(pinned);
        assertThat(live.placement().bucketsOf(BIG)).isEqualTo(2);
        assertThat(live.placement().bucketsOf(spread)).isEqualTo(2);
        assertThat(TablePlanner.moves(live.placement(), observed.inventory())).isEmpty();
      }
      System.out.printf("seed %d: %d acknowledged, %d failed writes, %d queries, %d apply runs killed, %d ids checked%n",
          seed, acknowledged.get(), failed.get(), queries.get(), kills, checked);
    FAILURES.forEach((what, n) -> System.out.println("  " + n + " x " + what));
    } finally {
      local.down(name, true);
    }
  }

  /** Runs {@code vsc local apply} in a child JVM, killing it at a random moment up to twice, then lets it finish. */
  private int applyWithKills(Path stateDir, Path manifest, Random random) throws Exception {
    int kills = 0;
    int killsWanted = random.nextInt(3);
    for (int attempt = 0; ; attempt++) {
      Process apply = vsc(stateDir, "apply", "-f", manifest.toString());
      if (attempt < killsWanted) {
        // The JVM needs about a second before it does anything: kill somewhere in the run after that.
        if (!apply.waitFor(800 + random.nextInt(1500), TimeUnit.MILLISECONDS)) {
          apply.destroyForcibly().waitFor();
          kills++;
          continue;
        }
      } else {
        assertThat(apply.waitFor(120, TimeUnit.SECONDS)).as("apply finished").isTrue();
      }
      String log = Files.readString(stateDir.resolveSibling("apply.log"));
      assertThat(apply.exitValue()).as("apply of %s:%n%s", manifest.getFileName(), log).isZero();
      return kills;
    }
  }

  private Process vsc(Path stateDir, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Vsc.class.getName(),
        "local", "--state-dir", stateDir.toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(stateDir.resolveSibling("apply.log").toFile()).start();
  }

  /**
   * @param pin {@code tenant:[shards]}, or empty
   * @param spread {@code tenant:buckets,...}, or empty
   */
  private Path manifest(String name, int shards, int routerPort, String pin, String spread) throws IOException {
    StringBuilder placement = new StringBuilder();
    if (!pin.isEmpty() || !spread.isEmpty()) {
      placement.append("  placement:\n");
    }
    if (!pin.isEmpty()) {
      placement.append("""
              pinned:
                - tenant: %s
                  shards: %s
          """.formatted(pin.substring(0, pin.indexOf(':')), pin.substring(pin.indexOf(':') + 1)));
    }
    if (!spread.isEmpty()) {
      placement.append("    spread:\n");
      for (String entry : spread.split(",")) {
        placement.append("      - tenant: %s\n        buckets: %s\n".formatted(entry.substring(0, entry.indexOf(':')),
            entry.substring(entry.indexOf(':') + 1)));
      }
    }
    String pinned = placement.toString();
    Path file = work.resolve(name + "-" + shards + (pin.isEmpty() ? "" : "-pinned") + (spread.isEmpty() ? "" : "-" + spread.replace(':', '-').replace(',', '_')) + ".yaml");
    Files.writeString(file, """
        apiVersion: vectorshard.io/v1alpha1
        kind: VectorShardCluster
        metadata:
          name: %s
        spec:
          shards: %d
          vectors:
            dimensions: %d
            quantization: NOQUANT
          rebalance:
            stallBudgetMs: 15
          router:
            port: %d
        %s""".formatted(name, shards, DIMS, routerPort, pinned));
    VectorShardCluster parsed = ClusterManifests.read(file);
    assertThat(parsed.getSpec().getShards()).isEqualTo(shards);
    return file;
  }

  /** Small tenants, and one big enough (by the measured MIGRATE rate) to be streamed. */
  private static void preload(HttpClient http, String router, Random random) throws Exception {
    for (int t = 0; t < TENANTS; t++) {
      batch(http, router, "t" + t, "pre", 20, random);
    }
    for (int i = 0; i < 6; i++) {
      batch(http, router, BIG, "pre" + i + "-", 1000, random);
    }
  }

  private static void batch(HttpClient http, String router, String tenant, String prefix, int n, Random random)
      throws Exception {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode vectors = body.putArray("vectors");
    for (int i = 0; i < n; i++) {
      ObjectNode v = vectors.addObject().put("id", tenant + "-" + prefix + i);
      ArrayNode values = v.putArray("vector");
      for (float f : vector(random)) {
        values.add(f);
      }
    }
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(router + "/v1/tenants/" + tenant + "/vectors:batch"))
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).header("Content-Type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  static float[] vector(Random random) {
    float[] v = new float[DIMS];
    for (int d = 0; d < DIMS; d++) {
      v[d] = (float) random.nextGaussian();
    }
    return v;
  }

  /** One writer: its own ids ({@code w<writer>-<n>}) in every tenant, upserted and deleted at random. */
  private static void write(HttpClient http, String router, int writer, Random random, AtomicBoolean stop,
      Map<String, Known> known, Map<String, Boolean> uncertain, AtomicLong acknowledged, AtomicLong failed) {
    while (!stop.get()) {
      String tenant = random.nextInt(5) == 0 ? BIG : "t" + random.nextInt(TENANTS);
      String id = tenant + "-w" + writer + "-" + random.nextInt(40);
      String key = tenant + "/" + id;
      URI uri = URI.create(router + "/v1/tenants/" + tenant + "/vectors/" + id);
      try {
        HttpResponse<String> r;
        float[] v = null;
        if (random.nextInt(4) == 0) {
          r = http.send(HttpRequest.newBuilder(uri).DELETE().timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
        } else {
          v = vector(random);
          ObjectNode body = JSON.createObjectNode();
          ArrayNode values = body.putArray("vector");
          for (float f : v) {
            values.add(f);
          }
          r = http.send(HttpRequest.newBuilder(uri).PUT(HttpRequest.BodyPublishers.ofString(body.toString()))
              .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
        }
        // 200 updated or deleted, 201 created, 404 a delete of an id that was not there.
        boolean ok = r.statusCode() == 200 || r.statusCode() == 201 || (v == null && r.statusCode() == 404);
        if (ok) {
          known.put(key, new Known(v));
          uncertain.remove(key);
          acknowledged.incrementAndGet();
        } else {
          uncertain.put(key, true);
          failed.incrementAndGet();
          FAILURES.merge(r.statusCode() + " " + r.body().replaceAll("[0-9]+", "N"), 1, Integer::sum);
        }
      } catch (IOException e) {
        uncertain.put(key, true);
        failed.incrementAndGet();
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Queries random tenants and records any id in an answer that is not the tenant's. */
  private static void read(HttpClient http, String router, Random random, AtomicBoolean stop, AtomicLong queries,
      List<String> foreign) {
    while (!stop.get()) {
      String tenant = random.nextInt(4) == 0 ? BIG : "t" + random.nextInt(TENANTS);
      ObjectNode body = JSON.createObjectNode().put("topK", 20);
      ArrayNode values = body.putArray("vector");
      for (float f : vector(random)) {
        values.add(f);
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(router + "/v1/tenants/" + tenant + "/query"))
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          queries.incrementAndGet();
          for (JsonNode hit : JSON.readTree(r.body()).get("results")) {
            if (!hit.get("id").asText().startsWith(tenant + "-")) {
              foreign.add(tenant + " got " + hit.get("id").asText());
            }
          }
        }
        Thread.sleep(5);
      } catch (IOException e) {
        // counted by the writers' checks; a reader only looks for foreign ids
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
