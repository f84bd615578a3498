package io.vectorshard.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorshard.core.redis.RedisProcess;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.router.testing.RawHttp;
import io.vectorshard.router.testing.RouterCluster;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;

/**
 * The router's threads stay bounded while a shard is stalled and many clients fan out to it: the
 * request threads are few and the search bulkhead refuses searches past its budget at once, so
 * calls waiting on the stalled shard do not pile up threads (the router used to grow from 270 to
 * 409 threads in 8 s). Clients run on threads started before the baseline, so only the router's
 * own threads can grow.
 */
class StalledShardThreadsTest {
  private static final int CLIENTS = 100;
  private static RouterCluster cluster;

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(3).dimensions(3).start();
    assertThat(cluster.upsert("acme", "doc", new float[] {1, 0, 0}, null).status()).isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void threadsStayBoundedWhileManyClientsFanOutToAStalledShard() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    CountDownLatch started = new CountDownLatch(CLIENTS);
    for (int i = 0; i < CLIENTS; i++) {
      clients.submit(started::countDown);
    }
    started.await();
    String search = "POST /v1/search HTTP/1.1\r\nHost: x\r\nContent-Length: 43\r\n\r\n"
        + "{\"vector\":[1,0,0],\"topK\":1,\"timeoutMs\":800}";
    assertThat(RawHttp.exchange(cluster.router().port(), search).status()).isEqualTo(200);
    int baseline = ManagementFactory.getThreadMXBean().getThreadCount();

    try (Jedis admin = cluster.jedis(2)) {
      admin.clientPause(6_000, ClientPauseMode.ALL);
    }
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<?>> load = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      load.add(clients.submit(() -> {
        while (!stop.get()) {
          int status = RawHttp.exchange(cluster.router().port(), search).status();
          assertThat(status).isIn(503, 504);
        }
        return null;
      }));
    }
    int peak = baseline;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
    while (System.nanoTime() < end) {
      peak = Math.max(peak, ManagementFactory.getThreadMXBean().getThreadCount());
      Thread.sleep(20);
    }
    stop.set(true);
    for (Future<?> f : load) {
      f.get(30, TimeUnit.SECONDS);
    }
    clients.shutdown();
    RedisProcess.awaitPing(cluster.endpoint(2).port(), RedisShards.ADMIN, Duration.ofSeconds(10), () -> true);
    // 32 request threads, and forked calls to the stalled shard held to its search budget.
    assertThat(peak - baseline).as("threads the router added over %d (peak %d)", baseline, peak).isLessThan(100);
  }
}
