package io.vectorshard.router;

import static io.vectorshard.router.testing.RouterCluster.array;
import static io.vectorshard.router.testing.RouterCluster.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorshard.core.redis.ShardAcl;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.router.testing.RouterCluster;
import io.vectorshard.router.testing.RouterCluster.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A shard that is up but refuses for a reason of its own (still loading after a restart, busy in a
 * script, refusing the router's user) answers 503 naming the shard and the reason, as a stopped
 * shard does, never 500; the other shard's tenants are served meanwhile; and the router records each
 * outage once, not once per request. Real Redis servers put in each state the real way.
 */
class ShardStateTest {
  private static final int BROKEN = 1;
  private static RouterCluster cluster;
  private static String brokenId;

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(2).dimensions(3).pin("ok", 0).pin("hit", BROKEN).start();
    brokenId = cluster.shardId(BROKEN);
    for (String tenant : List.of("ok", "hit")) {
      assertThat(cluster.upsert(tenant, "doc-1", new float[] {1, 0, 0}, null).status()).isEqualTo(201);
    }
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static Response query(String tenant) {
    ObjectNode body = object().put("topK", 1);
    body.set("vector", array(new float[] {1, 0, 0}));
    return cluster.post("/v1/tenants/" + tenant + "/query", body);
  }

  private static double outages(String reason) {
    return cluster.metric("vsc_router_shard_outages_total", Map.of("shard", brokenId, "reason", reason));
  }

  private static double up() {
    return cluster.metric("vsc_router_shard_up", Map.of("shard", brokenId));
  }

  /** The broken shard's tenant gets a 503 naming the shard and {@code reason}; the other is served. */
  private static void assertRefused(Response response, String reason) {
    assertThat(response.status()).as(response.toString()).isEqualTo(503);
    assertThat(response.json().get("shard").asText()).isEqualTo(brokenId);
    assertThat(response.json().get("reason").asText()).isEqualTo(reason);
    assertThat(response.error()).contains(brokenId);
  }

  private static Response await(String what, Supplier<Response> request, int status) {
    return await(what, request, status, null);
  }

  /** The first response with {@code status} (and, if not null, the error {@code reason}). */
  private static Response await(String what, Supplier<Response> request, int status, String reason) {
    Instant deadline = Instant.now().plusSeconds(20);
    Response last = request.get();
    while (last.status() != status || (reason != null && !reason.equals(last.json().path("reason").asText()))) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for " + what + "; last: " + last);
      }
      sleep(20);
      last = request.get();
    }
    return last;
  }

  @Test
  void aShardStillLoadingAfterARestartAnswers503UntilLoadedAndTheOutageIsCountedOnce() {
    try (Jedis admin = cluster.jedis(BROKEN)) {
      // The restart loads this dump.rdb, one key every 10 ms (key-load-delay): about 4 s of LOADING.
      // Each key is larger than the interval at which a loading Redis answers clients, so it
      // answers LOADING at once rather than after a batch of keys.
      String filler = "x".repeat(2048);
      for (int i = 0; i < 400; i++) {
        admin.set("filler:" + i, filler);
      }
      admin.save();
    }
    cluster.shards().restart(BROKEN, Map.of("key-load-delay", "10000", "loading-process-events-interval-bytes", "1024"));
    awaitLoading();

    // The first call may find its pooled connection closed by the restart: the shard was unreachable.
    Response first = await("the first refusal for loading", () -> query("hit"), 503, "loading");
    assertRefused(first, "loading");
    assertThat(first.error()).contains("LOADING");
    assertThat(first.header("Retry-After")).isEqualTo("1");
    double outagesAtStart = outages("loading");
    assertThat(outagesAtStart).isGreaterThanOrEqualTo(1);
    assertThat(up()).isZero();
    ObjectNode vector = object();
    vector.set("vector", array(new float[] {0, 1, 0}));
    List<Response> during = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      during.add(i % 2 == 0 ? query("hit") : cluster.put("/v1/tenants/hit/vectors/doc-2", vector));
      assertThat(query("ok").status()).isEqualTo(200);
    }
    List<Response> refused = during.stream().filter(r -> r.status() != 200 && r.status() != 201).toList();
    assertThat(refused).isNotEmpty().allSatisfy(r -> assertRefused(r, "loading"));
    // Still one outage however many requests it refused: logged and counted when it began.
    assertThat(outages("loading")).isEqualTo(outagesAtStart);

    // Loaded: the data is back and served; the shard counts as up again.
    Response served = await("the loaded shard", () -> query("hit"), 200);
    assertThat(served.body()).contains("doc-1");
    assertThat(up()).isEqualTo(1);
  }

  private static void awaitLoading() {
    Instant deadline = Instant.now().plusSeconds(10);
    while (true) {
      String reply;
      try (Jedis admin = cluster.jedis(BROKEN)) {
        reply = admin.ping();
      } catch (RuntimeException e) {
        reply = String.valueOf(e.getMessage());
      }
      if (reply.startsWith("LOADING")) {
        return;
      }
      assertThat(reply).as("the restarted shard answered before it loaded: key-load-delay had no effect")
          .isNotEqualTo("PONG");
      assertThat(Instant.now()).as("the restarted shard never answered LOADING").isBefore(deadline);
      sleep(10);
    }
  }

  @Test
  void aShardBusyInAScriptAnswers503NamingIt() throws Exception {
    try (Jedis admin = cluster.jedis(BROKEN)) {
      admin.configSet("busy-reply-threshold", "50");
      CompletableFuture<Object> script = CompletableFuture.supplyAsync(() -> {
        try (Jedis runner = cluster.jedis(BROKEN)) {
          return runner.eval("while true do end");
        } catch (RuntimeException killed) {
          return killed.getMessage();
        }
      });
      try {
        assertRefused(await("BUSY", () -> query("hit"), 503), "busy");
        assertThat(query("ok").status()).isEqualTo(200);
      } finally {
        admin.scriptKill();
        script.get();
        admin.configSet("busy-reply-threshold", "5000");
      }
    }
    assertThat(await("the shard after the script", () -> query("hit"), 200).body()).contains("doc-1");
  }

  @Test
  void aShardRefusingTheRoutersUserAnswers503NamingIt() {
    try (Jedis admin = cluster.jedis(BROKEN)) {
      // NOPERM: the user lost a command it needs.
      admin.aclSetUser(ShardAcl.ROUTER_USER, "-vsim");
      try {
        Response noperm = query("hit");
        assertRefused(noperm, "auth");
        assertThat(noperm.error()).contains("NOPERM");
        assertThat(query("ok").status()).isEqualTo(200);
      } finally {
        admin.aclSetUser(ShardAcl.ROUTER_USER, "+vsim");
      }
      assertThat(query("hit").status()).isEqualTo(200);

      // WRONGPASS: the password changed, and the router's connections must log in again.
      admin.aclSetUser(ShardAcl.ROUTER_USER, "resetpass", ">" + "not-the-routers");
      admin.clientKill(new redis.clients.jedis.params.ClientKillParams().user(ShardAcl.ROUTER_USER));
      try {
        Response wrongpass = await("WRONGPASS", () -> query("hit"), 503, "auth");
        assertRefused(wrongpass, "auth");
        assertThat(wrongpass.error()).contains("WRONGPASS").doesNotContain(RedisShards.ROUTER.password());
      } finally {
        admin.aclSetUser(ShardAcl.ROUTER_USER, "resetpass", ">" + RedisShards.ROUTER.password());
      }
    }
    assertThat(await("the router's user back", () -> query("hit"), 200).body()).contains("doc-1");
    assertThat(outages("auth")).isGreaterThanOrEqualTo(2);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
