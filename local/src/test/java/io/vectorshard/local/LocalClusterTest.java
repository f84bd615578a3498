package io.vectorshard.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.core.placement.Placement;
import io.vectorshard.core.redis.FunctionLibrary;
import io.vectorshard.core.redis.Keys;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardConnections;
import io.vectorshard.core.redis.ShardCredentials;
import io.vectorshard.core.routing.RouterJvm;
import io.vectorshard.core.routing.VectorSettings;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.spec.ClusterManifests;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.router.RouterMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** Local mode against real redis-server processes and a real router process. */
class LocalClusterTest {
  @TempDir
  Path stateRoot;

  private final ByteArrayOutputStream log = new ByteArrayOutputStream();
  private LocalCluster local;
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void stopEverything() {
    if (local != null) {
      local.clusters().forEach(name -> local.down(name, true));
    }
  }

  private LocalCluster local() {
    local = new LocalCluster(stateRoot, new PrintStream(log, true));
    return local;
  }

  private static VectorShardCluster manifest(String name, int shards, int routerPort, String placement) {
    return ClusterManifests.parse("""
        apiVersion: vectorshard.io/v1alpha1
        kind: VectorShardCluster
        metadata:
          name: %s
        spec:
          shards: %d
          vectors:
            dimensions: 3
          router:
            port: %d
        %s""".formatted(name, shards, routerPort, placement), "test");
  }

  /** A base port with {@code count} free ports after it. */
  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void upServesDownKeepsDataAndUpAgainResumesIt() throws Exception {
    int base = RedisShards.freePortRange(3);
    VectorShardCluster manifest = manifest("lc", 2, base + 2, "");
    LocalState state = local().up(manifest, new LocalCluster.UpOptions(base, "127.0.0.1"));

    assertThat(state.shards()).extracting(LocalState.Shard::port).containsExactly(base, base + 1);
    HttpResponse<String> put = send(HttpRequest.newBuilder(URI.create(state.router().url() + "/v1/tenants/acme/vectors/v1"))
        .PUT(HttpRequest.BodyPublishers.ofString("{\"vector\":[1,0,0],\"metadata\":{\"k\":1}}")));
    assertThat(put.statusCode()).isEqualTo(201);
    // Where the build made the router's sidecar jar (a packaged reactor, as in .ci/run, or a Maven
    // repository), the router served the write from it alone.
    String sidecar = RouterJvm.classpath(RouterMain.class, "");
    if (!sidecar.isEmpty()) {
      assertThat(ProcessHandle.of(state.router().pid()).flatMap(p -> p.info().arguments()).map(List::of).orElseThrow())
          .containsSubsequence("-cp", sidecar, RouterMain.class.getName());
      // Its merged service files hold SLF4J's provider: the router logs (no "No SLF4J providers").
      assertThat(Files.readString(Path.of(state.router().log()))).contains("vectorshard router listening").doesNotContain("SLF4J");
    }

    assertThat(local.down("lc", false)).isTrue();
    assertThat(ProcessHandle.of(state.router().pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    try (ShardClient shard = new ShardClient(ShardEndpoint.of(0, "127.0.0.1", base), admin("lc"), Duration.ofMillis(300), 1)) {
      assertThat(shard.ping()).isFalse();
    }
    assertThat(stateRoot.resolve("lc/shard-0")).isDirectory();

    LocalState again = local.up(manifest, new LocalCluster.UpOptions(base, "127.0.0.1"));
    HttpResponse<String> get = send(HttpRequest.newBuilder(URI.create(again.router().url() + "/v1/tenants/acme/vectors/v1")).GET());
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).contains("\"k\":1");
    assertThat(send(HttpRequest.newBuilder(URI.create(again.router().url() + "/v1/routing")).GET()).body())
        .contains("\"epoch\":1");

    assertThat(local.down("lc", true)).isTrue();
    assertThat(stateRoot.resolve("lc")).doesNotExist();
  }

  @Test
  void upOnARunningClusterChangesNothing() {
    int base = RedisShards.freePortRange(2);
    VectorShardCluster manifest = manifest("same", 1, base + 1, "");
    LocalState first = local().up(manifest, new LocalCluster.UpOptions(base, "127.0.0.1"));
    LocalState second = local.up(manifest, new LocalCluster.UpOptions(base, "127.0.0.1"));
    assertThat(second.router().pid()).isEqualTo(first.router().pid());
    try (ShardClient shard = new ShardClient(ShardEndpoint.of(0, "127.0.0.1", base), admin("same"), Duration.ofSeconds(1), 1)) {
      assertThat(shard.epoch()).isEqualTo(1);
    }
  }

  @Test
  void shardsRequirePasswordsAndNoRouterCredentialCanRedirectTheRouter() throws Exception {
    int base = RedisShards.freePortRange(2);
    LocalState state = local().up(manifest("auth", 1, base + 1, ""), new LocalCluster.UpOptions(base, "127.0.0.1"));
    Path credentials = stateRoot.resolve("auth").resolve(LocalCredentials.FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials.getParent()))).isEqualTo("rwx------");
    LocalCredentials passwords = LocalCredentials.read(stateRoot.resolve("auth"));
    String forged = "{\"epoch\":99}";
    List<String> publish = List.of("99", forged, Keys.ROUTING_CHANNEL);

    // Any local process could publish a forged table before shards had passwords: not any more.
    try (Jedis anonymous = new Jedis("127.0.0.1", base)) {
      assertThatThrownBy(() -> anonymous.fcall(FunctionLibrary.PUBLISH, List.of(Keys.EPOCH, Keys.ROUTING), publish))
          .hasMessageContaining("NOAUTH");
      assertThatThrownBy(() -> anonymous.smembers(Keys.TENANTS)).hasMessageContaining("NOAUTH");
    }
    // The router's own credential, which every router process holds, cannot publish either.
    try (Jedis router = new Jedis(new HostAndPort("127.0.0.1", base),
        ShardConnections.clientConfig(passwords.routerCredentials(), 2000, 2000, null))) {
      assertThatThrownBy(() -> router.fcall(FunctionLibrary.PUBLISH, List.of(Keys.EPOCH, Keys.ROUTING), publish))
          .hasMessageContaining("NOPERM");
    }
    // The router serves on its least-privileged user, and no process's command line shows a password.
    HttpResponse<String> put = send(HttpRequest.newBuilder(URI.create(state.router().url() + "/v1/tenants/acme/vectors/v1"))
        .PUT(HttpRequest.BodyPublishers.ofString("{\"vector\":[1,0,0]}")));
    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(send(HttpRequest.newBuilder(URI.create(state.router().url() + "/v1/routing")).GET()).body())
        .contains("\"epoch\":1");
    assertThat(RedisShards.onAnyCommandLine(passwords.admin(), passwords.router())).isFalse();
  }

  @Test
  void upRefusesChangesThatMoveDataPointsToApplyAndTouchesNothing() {
    int base = RedisShards.freePortRange(6);
    VectorShardCluster two = manifest("move", 2, base + 5, "");
    local().up(two, new LocalCluster.UpOptions(base, "127.0.0.1"));

    assertThatThrownBy(() -> local.up(manifest("move", 3, base + 5, ""), new LocalCluster.UpOptions(base, "127.0.0.1")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("has 2 shards").hasMessageContaining("vsc local apply -f");

    // acme gets a vector where the live table puts it; pinning it to the other shard would strand it.
    int home = Placement.of(2, two.getSpec().getPlacement()).shardOf("acme", 0);
    try (ShardClient shard = new ShardClient(ShardEndpoint.of(home, "127.0.0.1", base + home), admin("move"), Duration.ofSeconds(1), 1)) {
      shard.upsert(1, "acme", VectorSettings.of(two.getSpec().getVectors()),
          List.of(new ShardClient.Write(Keys.bucket("acme", 0, 1), "doc-1", new float[] {1, 0, 0}, null)));
    }
    String pinnedAway = """
          placement:
            pinned:
              - tenant: acme
                shards: [%d]
        """.formatted(1 - home);
    assertThatThrownBy(() -> local.up(manifest("move", 2, base + 5, pinnedAway), new LocalCluster.UpOptions(base, "127.0.0.1")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tenant acme bucket 0 (1 vectors) shard-" + home + " -> shard-" + (1 - home))
        .hasMessageContaining("`vsc local apply -f` moves them");
    for (int i = 0; i < 2; i++) {
      try (ShardClient shard = new ShardClient(ShardEndpoint.of(i, "127.0.0.1", base + i), admin("move"), Duration.ofSeconds(1), 1)) {
        assertThat(shard.epoch()).isEqualTo(1);
      }
    }
    assertThat(stateRoot.resolve("move/shard-2")).doesNotExist();

    // Pinning it where it already is moves nothing, so the engine publishes the next epoch.
    String pinnedHome = pinnedAway.replace("[" + (1 - home) + "]", "[" + home + "]");
    local.up(manifest("move", 2, base + 5, pinnedHome), new LocalCluster.UpOptions(base, "127.0.0.1"));
    try (ShardClient shard = new ShardClient(ShardEndpoint.of(0, "127.0.0.1", base), admin("move"), Duration.ofSeconds(1), 1)) {
      assertThat(shard.epoch()).isEqualTo(2);
    }

    // apply carries out what up refused: acme moves, a third shard starts, and status shows it.
    LocalState applied = local.apply(manifest("move", 3, base + 5, pinnedAway));
    assertThat(applied.shards()).hasSize(3);
    try (ShardClient moved = new ShardClient(ShardEndpoint.of(1 - home, "127.0.0.1", base + 1 - home), admin("move"),
        Duration.ofSeconds(1), 1)) {
      assertThat(moved.get(Keys.bucket("acme", 0, 1), "doc-1")).isNotNull();
    }
    LocalStatus status = local.status("move").orElseThrow();
    assertThat(status.transition()).isNull();
    assertThat(status.shards()).extracting(LocalStatus.Shard::up).containsExactly(true, true, true);
    assertThat(status.shards().stream().mapToLong(LocalStatus.Shard::vectors).sum()).isEqualTo(1);
    assertThat(log.toString()).contains("transition 2 -> 3 shards published");
  }

  @Test
  void applyRefusesWhatTheEngineCannotDoAndLeavesNoNewShardRunning() {
    int base = RedisShards.freePortRange(4);
    local().up(manifest("refuse", 2, base + 3, ""), new LocalCluster.UpOptions(base, "127.0.0.1"));
    int home = Placement.of(2, manifest("refuse", 2, base + 3, "").getSpec().getPlacement()).shardOf("acme", 0);
    try (ShardClient shard = new ShardClient(ShardEndpoint.of(home, "127.0.0.1", base + home), admin("refuse"), Duration.ofSeconds(1), 1)) {
      shard.upsert(1, "acme", new VectorSettings(3, io.vectorshard.api.VectorsSpec.Quantization.Q8, 16, 200),
          List.of(new ShardClient.Write(Keys.bucket("acme", 0, 1), "doc-1", new float[] {1, 0, 0}, null)));
    }
    String wider = """
          placement:
            defaultBuckets: 2
        """;
    assertThatThrownBy(() -> local.apply(manifest("refuse", 3, base + 3, wider)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("defaultBuckets changes from 1 to 2")
        .hasMessageContaining("acme");
    // The third shard it started is stopped again, and the state lists the two shards.
    try (ShardClient third = new ShardClient(ShardEndpoint.of(2, "127.0.0.1", base + 2), admin("refuse"), Duration.ofSeconds(1), 1)) {
      assertThat(third.ping()).isFalse();
    }
    assertThat(LocalState.read(stateRoot.resolve("refuse")).orElseThrow().shards()).hasSize(2);

    // What it can do, spreading the one tenant, it does: acme's vector lands in its new bucket.
    String spread = """
          placement:
            spread:
              - tenant: acme
                buckets: 2
        """;
    VectorShardCluster spreadOut = manifest("refuse", 2, base + 3, spread);
    local.apply(spreadOut);
    Placement next = Placement.of(2, spreadOut.getSpec().getPlacement());
    int bucket = next.bucketOf("acme", "doc-1");
    int shardOfDoc = next.shardOf("acme", bucket);
    try (ShardClient shard = new ShardClient(ShardEndpoint.of(shardOfDoc, "127.0.0.1", base + shardOfDoc), admin("refuse"), Duration.ofSeconds(1), 1)) {
      assertThat(shard.get(Keys.bucket("acme", bucket, 2), "doc-1")).isNotNull();
    }
    for (int i = 0; i < 2; i++) {
      try (ShardClient shard = new ShardClient(ShardEndpoint.of(i, "127.0.0.1", base + i), admin("refuse"), Duration.ofSeconds(1), 1)) {
        assertThat(shard.moves().exists(Keys.bucket("acme", 0, 1))).as("the old bucket is gone from shard-%d", i).isFalse();
      }
    }
    assertThat(local.status("refuse").orElseThrow().transition()).isNull();
  }

  @Test
  void aBusyPortIsAClearError() throws Exception {
    int base = RedisShards.freePortRange(2);
    try (ServerSocket busy = new ServerSocket(base + 1, 1, java.net.InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> local().up(manifest("busy", 1, base + 1, ""), new LocalCluster.UpOptions(base, "127.0.0.1")))
          .hasMessageContaining("port " + (base + 1)).hasMessageContaining("in use");
    }
    // Shard 0 had started before the router's port was found busy: the failed up stopped it again.
    assertThat(bindableWithin(base, Duration.ofSeconds(10))).as("port %d of shard 0 is free again", base).isTrue();
  }

  private static boolean bindableWithin(int port, Duration wait) throws InterruptedException {
    Instant deadline = Instant.now().plus(wait);
    while (true) {
      try (ServerSocket free = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return true;
      } catch (java.io.IOException inUse) {
        if (Instant.now().isAfter(deadline)) {
          return false;
        }
        Thread.sleep(50);
      }
    }
  }

  @Test
  void downOfAnUnknownClusterSaysSo() {
    assertThat(local().down("nothing-here", false)).isFalse();
    assertThat(log.toString()).contains("no local cluster named nothing-here");
    assertThat(Files.exists(stateRoot.resolve("nothing-here"))).isFalse();
  }

  /** The administrator of a local cluster under the test's state root, as the engine connects. */
  private ShardCredentials admin(String cluster) {
    return LocalCredentials.read(stateRoot.resolve(cluster)).adminCredentials();
  }

  @Test
  void aRouterThatExitsDuringStartIsReportedWithTheLastLineOfItsLog() throws Exception {
    // The router's last words, then what the JDK prints as it writes the AOT cache of a recording start.
    Path log = stateRoot.resolve("router.log");
    Files.writeString(log, """
        2026-12-07T08:10:00.000+0000 [main] ERROR io.javalin.Javalin - Failed to start Javalin
        Exception in thread "main" io.javalin.util.JavalinBindException: Port already in use.
        	at io.javalin.jetty.JettyServer.start(JettyServer.kt:105)
        Caused by: java.net.BindException: Address already in use
        	at java.base/sun.nio.ch.Net.bind0(Native Method)
        	... 7 more

        Temporary AOTConfiguration recorded: /state/router-296d4892ac1b58d1.aot.config
        Launching child process /jdk/bin/java to assemble AOT cache /state/router-296d4892ac1b58d1.aot using configuration /state/router-296d4892ac1b58d1.aot.config
        Picked up JAVA_TOOL_OPTIONS: -Djava.class.path=/lib/vectorshard-router-sidecar.jar -Xlog:aot=error -XX:AOTCacheOutput=/state/router-296d4892ac1b58d1.aot -XX:AOTConfiguration=/state/router-296d4892ac1b58d1.aot.config -XX:AOTMode=create
        Reading AOTConfiguration /state/router-296d4892ac1b58d1.aot.config and writing AOTCache /state/router-296d4892ac1b58d1.aot
        AOTCache creation is complete: /state/router-296d4892ac1b58d1.aot 35581952 bytes
        Removed temporary AOT configuration file /state/router-296d4892ac1b58d1.aot.config
        """);
    assertThat(LocalCluster.lastError(log)).isEqualTo("Caused by: java.net.BindException: Address already in use");
    assertThat(LocalCluster.lastError(stateRoot.resolve("absent.log"))).startsWith("its log cannot be read");
  }
}
