package io.vectorshard.router;

import static io.vectorshard.router.testing.RouterCluster.array;
import static io.vectorshard.router.testing.RouterCluster.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorshard.core.redis.RedisProcess;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.router.testing.RouterCluster;
import io.vectorshard.router.testing.RouterCluster.Response;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;

/**
 * A request's {@code timeoutMs} holds on every path, also when the shard's pooled connection broke at
 * the previous deadline and the call must open a new one: a stalled shard's kernel still accepts the
 * connection, and the login over it used to wait the whole shard timeout (here 5 s) on the request's
 * own thread. The bound checked (2 s for a 150 ms deadline) is far from both, so a busy machine does
 * not make it flaky.
 */
class RequestDeadlineTest {
  private static final int STALLED = 0;
  private static final Duration SHARD_TIMEOUT = Duration.ofSeconds(5);
  /** Long enough for the rounds below with the deadline kept, far too short for one without. */
  private static final Duration PAUSE = Duration.ofSeconds(6);
  private static RouterCluster cluster;

  @BeforeAll
  static void start() {
    cluster = RouterCluster.builder(2).dimensions(3).pin("stalled", STALLED).pin("fine", 1)
        .config(c -> c.withShardTimeout(SHARD_TIMEOUT)).start();
    for (String tenant : new String[] {"stalled", "fine"}) {
      assertThat(cluster.upsert(tenant, "doc-1", new float[] {1, 0, 0}, null).status()).isEqualTo(201);
    }
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static ObjectNode query(int timeoutMs) {
    ObjectNode body = object().put("topK", 1).put("timeoutMs", timeoutMs);
    body.set("vector", array(new float[] {1, 0, 0}));
    return body;
  }

  @Test
  void aDeadlineHoldsWhenTheCallMustOpenANewConnectionToAStalledShard() {
    try (Jedis admin = cluster.jedis(STALLED)) {
      admin.clientPause(PAUSE.toMillis(), ClientPauseMode.ALL);
    }
    try {
      // Each round's deadline breaks the connection it used, so every later round opens a new one,
      // on the tenant route (the request's own thread) and in a scatter-gather alike.
      for (int round = 0; round < 4; round++) {
        long start = System.nanoTime();
        Response tenant = cluster.post("/v1/tenants/stalled/query", query(150));
        long tenantMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(tenant.status()).as("%s", tenant).isEqualTo(504);
        assertThat(tenant.json().get("shard").asText()).isEqualTo(cluster.shardId(STALLED));
        assertThat(tenantMillis).as("round %d of the tenant query: a 150 ms deadline", round).isLessThan(2000);

        start = System.nanoTime();
        Response search = cluster.post("/v1/search", query(150));
        long searchMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(search.status()).as("%s", search).isEqualTo(504);
        assertThat(searchMillis).as("round %d of the scatter-gather: a 150 ms deadline", round).isLessThan(2000);
      }
      assertThat(cluster.post("/v1/tenants/fine/query", query(150)).status()).isEqualTo(200);
    } finally {
      RedisProcess.awaitPing(cluster.endpoint(STALLED).port(), RedisShards.ADMIN, Duration.ofSeconds(10), () -> true);
    }
    assertThat(cluster.post("/v1/tenants/stalled/query", query(1000)).status()).isEqualTo(200);
  }
}
