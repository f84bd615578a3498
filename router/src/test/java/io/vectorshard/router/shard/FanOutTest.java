package io.vectorshard.router.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorshard.core.redis.RedisProcess;
import io.vectorshard.core.redis.RawShardCalls;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardException;
import io.vectorshard.core.redis.StaleEpochException;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.router.metrics.RouterMetrics;
import io.vectorshard.router.routing.Routing;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;

/**
 * The shared per-shard fan-out on real shards: which thread makes each call, the order of replies,
 * the deadline of inline and forked calls alike, and failures kept per shard with their type.
 */
class FanOutTest {
  private static RedisShards shards;
  private static RoutingTable table;
  private static Routing.Snapshot snapshot;
  private static final RouterMetrics metrics = new RouterMetrics();
  private static final ExecutorService virtualThreads = Executors.newVirtualThreadPerTaskExecutor();
  private static final int MAX_SEARCHES = 2;
  private static final Duration ABANDONED = Duration.ofMillis(1500);
  private static final FanOut fanOut = new FanOut(metrics, virtualThreads, MAX_SEARCHES, ABANDONED);

  @BeforeAll
  static void start() {
    shards = RedisShards.start(3);
    table = shards.publish("fanout", 1, shards.spec(4));
    List<ShardClient> clients = table.shards().stream()
        .map(e -> new ShardClient(e, RedisShards.ROUTER, Duration.ofSeconds(5), 4))
        .toList();
    snapshot = new Routing.Snapshot(table, clients);
  }

  @AfterAll
  static void stop() {
    snapshot.clients().forEach(ShardClient::close);
    virtualThreads.close();
    shards.close();
  }

  /** Each shard answers its own id and the thread that made the call. */
  private static Map<ShardEndpoint, Function<ShardClient, String>> whoAnswers(List<ShardEndpoint> targets) {
    Map<ShardEndpoint, Function<ShardClient, String>> calls = new LinkedHashMap<>();
    targets.forEach(s -> calls.put(s, client -> RawShardCalls.call(client, jedis -> jedis.ping()) + " " + client.id() + " "
        + Thread.currentThread().threadId()));
    return calls;
  }

  private static String callerThread() {
    return Long.toString(Thread.currentThread().threadId());
  }

  @Test
  void searchesOverTheShardsBulkheadAreRefusedAtOnceAndOtherShardsAndCallsAreNot() throws Exception {
    ShardEndpoint busy = table.shards().get(0);
    ShardEndpoint other = table.shards().get(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(MAX_SEARCHES);
    List<Future<List<ShardReply<String>>>> held = new ArrayList<>();
    for (int i = 0; i < MAX_SEARCHES; i++) {
      held.add(virtualThreads.submit(() -> fanOut.searches(snapshot, Map.of(busy, client -> {
        running.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        return "held";
      }), Duration.ofSeconds(5), 1)));
    }
    assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
    try {
      // One more search on the full shard is refused without being sent; its neighbour is searched.
      Map<ShardEndpoint, Function<ShardClient, String>> both = new LinkedHashMap<>(whoAnswers(List.of(busy, other)));
      List<ShardReply<String>> replies = fanOut.searches(snapshot, both, Duration.ofSeconds(1), 1);
      assertThat(replies).extracting(ShardReply::shard).containsExactly(busy, other);
      assertThat(replies.get(0).failure()).isInstanceOfSatisfying(ShardException.class, e -> {
        assertThat(e.reason()).isEqualTo(ShardException.Reason.OVERLOADED);
        assertThat(e.shard()).isEqualTo(busy.id());
        assertThat(e.getMessage()).contains("VSC_ROUTER_SEARCH_BUDGET_PER_SHARD");
      });
      assertThat(replies.get(1).ok()).isTrue();
      // Other calls (writes, reads of attributes) are not searches: the full shard takes them.
      assertThat(fanOut.call(snapshot, whoAnswers(List.of(busy)), "test").get(0).ok()).isTrue();
    } finally {
      release.countDown();
    }
    for (var search : held) {
      assertThat(search.get().get(0).value()).isEqualTo("held");
    }
    // The permits came back with the calls' ends.
    assertThat(fanOut.searches(snapshot, whoAnswers(List.of(busy)), Duration.ofSeconds(1), 1).get(0).ok()).isTrue();
  }

  @Test
  void aSearchTakesAsManyPermitsAsItWeighs() throws Exception {
    ShardEndpoint shard = table.shards().get(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch running = new CountDownLatch(1);
    Future<List<ShardReply<String>>> light = virtualThreads.submit(() -> fanOut.searches(snapshot, Map.of(shard, client -> {
      running.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return "light";
    }), Duration.ofSeconds(5), 1));
    assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
    try {
      // One of the two permits is taken: a search weighing two does not fit, one weighing one does.
      assertThat(fanOut.searches(snapshot, whoAnswers(List.of(shard)), Duration.ofSeconds(1), 2).get(0).failure())
          .isInstanceOfSatisfying(ShardException.class, e -> assertThat(e.reason()).isEqualTo(ShardException.Reason.OVERLOADED));
      assertThat(fanOut.searches(snapshot, whoAnswers(List.of(shard)), Duration.ofSeconds(1), 1).get(0).ok()).isTrue();
    } finally {
      release.countDown();
    }
    assertThat(light.get().get(0).value()).isEqualTo("light");
    assertThat(fanOut.searches(snapshot, whoAnswers(List.of(shard)), Duration.ofSeconds(1), 2).get(0).ok()).isTrue();
  }

  @Test
  void aSearchGivenUpOnAtItsDeadlineKeepsItsPermitWhileRedisMayStillRunIt() {
    ShardEndpoint paused = table.shards().get(2);
    try (Jedis admin = RedisShards.admin(paused.host(), paused.port())) {
      admin.clientPause(800, ClientPauseMode.ALL);
    }
    for (int i = 0; i < MAX_SEARCHES; i++) {
      ShardReply<String> late = fanOut.searches(snapshot, whoAnswers(List.of(paused)), Duration.ofMillis(100), 1).get(0);
      assertThat(late.failure()).isInstanceOfSatisfying(ShardException.class, e -> assertThat(e.timeout()).isTrue());
    }
    // Both calls ended, but their searches would still be running on Redis: no permit is free.
    ShardReply<String> refused = fanOut.searches(snapshot, whoAnswers(List.of(paused)), Duration.ofMillis(100), 1).get(0);
    assertThat(refused.failure()).isInstanceOfSatisfying(ShardException.class,
        e -> assertThat(e.reason()).isEqualTo(ShardException.Reason.OVERLOADED));
    RedisProcess.awaitPing(paused.port(), RedisShards.ADMIN, Duration.ofSeconds(10), () -> true);
    long deadline = System.nanoTime() + ABANDONED.multipliedBy(4).toNanos();
    ShardReply<String> admitted;
    do {
      admitted = fanOut.searches(snapshot, whoAnswers(List.of(paused)), Duration.ofSeconds(1), 1).get(0);
    } while (!admitted.ok() && System.nanoTime() < deadline);
    assertThat(admitted.ok()).as("the permits came back after %s: %s", ABANDONED, admitted.failure()).isTrue();
  }

  @Test
  void aSingleShardCallRunsOnTheCallersThread() {
    ShardEndpoint only = table.shards().get(1);
    List<ShardReply<String>> replies = fanOut.call(snapshot, whoAnswers(List.of(only)), "test");
    assertThat(replies).hasSize(1);
    assertThat(replies.get(0).ok()).isTrue();
    assertThat(replies.get(0).shard()).isEqualTo(only);
    assertThat(replies.get(0).value()).isEqualTo("PONG shard-1 " + callerThread());
    assertThat(new String(metrics.scrape(), StandardCharsets.UTF_8))
        .contains("vsc_router_shard_request_seconds_count{op=\"test\",outcome=\"ok\",shard=\"shard-1\"}");
  }

  @Test
  void severalShardsAnswerInOrderAndOnlyTheLastRunsOnTheCallersThread() {
    List<ShardReply<String>> replies = fanOut.call(snapshot, whoAnswers(table.shards()), "test");
    assertThat(replies).extracting(ShardReply::shard).containsExactlyElementsOf(table.shards());
    assertThat(replies).allMatch(ShardReply::ok);
    for (int i = 0; i < 3; i++) {
      String[] parts = replies.get(i).value().split(" ");
      assertThat(parts[1]).isEqualTo("shard-" + i);
      if (i < 2) {
        assertThat(parts[2]).as("forked call %d", i).isNotEqualTo(callerThread());
      } else {
        assertThat(parts[2]).as("inline call").isEqualTo(callerThread());
      }
    }
  }

  @Test
  void noCallsNoReplies() {
    assertThat(fanOut.call(snapshot, whoAnswers(List.of()), "test")).isEmpty();
  }

  @Test
  void failuresStayPerShardAndKeepTheirType() {
    Map<ShardEndpoint, Function<ShardClient, String>> calls = new LinkedHashMap<>();
    calls.put(table.shards().get(0), client -> {
      throw new StaleEpochException(client.id(), 9);
    });
    calls.put(table.shards().get(1), client -> RawShardCalls.call(client, jedis -> jedis.ping()));
    calls.put(table.shards().get(2), client -> {
      throw new IllegalStateException("inline failure");
    });
    List<ShardReply<String>> replies = fanOut.call(snapshot, calls, "test");
    assertThat(replies.get(0).failure()).isInstanceOf(StaleEpochException.class);
    assertThat(replies.get(1).value()).isEqualTo("PONG");
    assertThat(replies.get(2).failure()).isInstanceOf(IllegalStateException.class).hasMessage("inline failure");
  }

  private static boolean stalled(ShardEndpoint shard) {
    return RedisShards.stalled(shard.port());
  }

  /**
   * The clients' own timeout is 5 s; the request's 200 ms deadline must end both a forked call and
   * the inline one while the stalled shards are still paused (not a timing assertion: the pause
   * outlasts the checks, so only a deadline can have ended the calls).
   */
  @Test
  void theRequestDeadlineEndsForkedAndInlineCallsOnStalledShards() {
    ShardEndpoint forkedStalled = table.shards().get(0);
    ShardEndpoint inlineStalled = table.shards().get(2);
    for (ShardEndpoint stalledShard : List.of(forkedStalled, inlineStalled)) {
      snapshot.client(stalledShard).epoch(); // an open pooled connection, so the stall hits a read
      try (Jedis admin = RedisShards.admin(stalledShard.host(), stalledShard.port())) {
        admin.clientPause(3000, ClientPauseMode.ALL);
      }
    }
    try {
      List<ShardReply<Long>> replies = fanOut.call(snapshot, epochs(), "test", Duration.ofMillis(200));
      assertThat(stalled(forkedStalled) && stalled(inlineStalled)).as("shards still stalled after the answer").isTrue();
      assertThat(replies.get(1).ok()).isTrue();
      for (ShardReply<Long> reply : List.of(replies.get(0), replies.get(2))) {
        assertThat(reply.failure()).isInstanceOfSatisfying(ShardException.class, e -> {
          assertThat(e.shard()).isEqualTo(reply.shard().id());
          assertThat(e.timeout()).isTrue();
          assertThat(e.detail()).isEqualTo("timed out after 200 ms");
        });
      }
    } finally {
      for (ShardEndpoint s : List.of(forkedStalled, inlineStalled)) {
        RedisProcess.awaitPing(s.port(), RedisShards.ADMIN, Duration.ofSeconds(10), () -> true);
      }
    }
  }

  /**
   * Writes have no total deadline: a forked call that takes longer than its client's timeout in all,
   * while each of its replies comes in time, is waited for, not reported as failed (its writes land).
   * Here three blocking BLPOPs of 0.2 s each (Jedis lifts the socket timeout for blocking commands)
   * take 0.6 s against a 0.3 s client timeout; a query deadline of 0.3 s does cut the same call off.
   */
  @Test
  void writesWaitForForkedCallsThatTakeLongerThanOneTimeoutInAll() {
    // The administrator: BLPOP, the slow call this needs, is outside the router's ACL user.
    List<ShardClient> shortClients = table.shards().stream()
        .map(e -> new ShardClient(e, RedisShards.ADMIN, Duration.ofMillis(300), 2))
        .toList();
    try {
      Routing.Snapshot shortSnapshot = new Routing.Snapshot(table, shortClients);
      Map<ShardEndpoint, Function<ShardClient, String>> calls = new LinkedHashMap<>();
      calls.put(table.shards().get(0), client -> RawShardCalls.call(client, jedis -> {
        for (int i = 0; i < 3; i++) {
          jedis.blpop(0.2, "fanout-test-empty-list");
        }
        return "done";
      }));
      calls.put(table.shards().get(1), client -> RawShardCalls.call(client, jedis -> jedis.ping()));

      List<ShardReply<String>> write = fanOut.call(shortSnapshot, calls, "test");
      assertThat(write.get(0).value()).isEqualTo("done");
      assertThat(write.get(1).value()).isEqualTo("PONG");

      List<ShardReply<String>> query = fanOut.call(shortSnapshot, calls, "test", Duration.ofMillis(300));
      assertThat(query.get(0).failure()).isInstanceOfSatisfying(ShardException.class, e -> assertThat(e.timeout()).isTrue());
      assertThat(query.get(1).value()).isEqualTo("PONG");
    } finally {
      shortClients.forEach(ShardClient::close);
    }
  }

  private static Map<ShardEndpoint, Function<ShardClient, Long>> epochs() {
    Map<ShardEndpoint, Function<ShardClient, Long>> calls = new LinkedHashMap<>();
    table.shards().forEach(s -> calls.put(s, ShardClient::epoch));
    return calls;
  }
}
