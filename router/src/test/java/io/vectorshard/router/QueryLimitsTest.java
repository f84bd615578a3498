package io.vectorshard.router;

import static io.vectorshard.router.testing.RouterCluster.array;
import static io.vectorshard.router.testing.RouterCluster.object;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vectorshard.router.query.QueryLimits;
import io.vectorshard.router.testing.RouterCluster;
import io.vectorshard.router.testing.RouterCluster.Response;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.Slowlog;

/**
 * The bounds on what one query may cost a shard, on real shards: how many vector sets one query
 * searches on a shard, and the {@code FILTER-EF} each filtered search is sent with (Redis's slow log
 * shows the commands as the shard received them). The field bounds are in {@link BadInputTest}.
 */
class QueryLimitsTest {
  private static final int MAX_KEYS = 3;
  private static RouterCluster cluster;

  @BeforeAll
  static void start() {
    QueryLimits d = QueryLimits.DEFAULTS;
    cluster = RouterCluster.builder(2).dimensions(3)
        .config(c -> c.withLimits(new QueryLimits(d.maxTopK(), d.maxEf(), d.maxSearchCost(), d.maxFilterLength(),
            d.maxFilterWork(), MAX_KEYS, d.searchBudgetPerShard())))
        .start();
    for (int t = 0; t < 12; t++) {
      assertThat(cluster.upsert("t" + t, "doc", new float[] {1, t, 0}, object().put("n", t)).status()).isEqualTo(201);
    }
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static ObjectNode query() {
    ObjectNode body = object().put("topK", 5);
    body.set("vector", array(new float[] {1, 0, 0}));
    return body;
  }

  @Test
  void aQueryOverMoreVectorSetsOnAShardThanTheBoundIsRefused() {
    // 12 single-bucket tenants over 2 shards: some shard holds more than 3 of them.
    Map<Integer, Long> perShard = IntStream.range(0, 12).boxed().collect(Collectors.groupingBy(
        t -> cluster.table().bucketsOf("t" + t).get(0).shard().ordinal(), Collectors.counting()));
    assertThat(perShard.values()).anyMatch(n -> n > MAX_KEYS);

    Response all = cluster.post("/v1/search", query());
    assertThat(all.status()).as("%s", all).isEqualTo(400);
    assertThat(all.error()).contains("over the bound of " + MAX_KEYS + " (VSC_ROUTER_MAX_KEYS_PER_SHARD)")
        .contains("name the tenants to search");

    // Named tenants count the same way: four that live on one shard are over the bound there.
    int fullest = perShard.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    ObjectNode chosen = query();
    IntStream.range(0, 12).mapToObj(t -> "t" + t)
        .filter(t -> cluster.table().bucketsOf(t).get(0).shard().ordinal() == fullest).limit(MAX_KEYS + 1)
        .forEach(chosen.putArray("tenants")::add);
    Response some = cluster.post("/v1/search", chosen);
    assertThat(some.status()).as("%s", some).isEqualTo(400);
    assertThat(some.error()).contains("shard " + cluster.shardId(fullest)).contains("VSC_ROUTER_MAX_KEYS_PER_SHARD");

    ObjectNode few = query();
    List.of("t0", "t1").forEach(few.putArray("tenants")::add);
    Response within = cluster.post("/v1/search", few);
    assertThat(within.status()).as("%s", within).isEqualTo(200);
    assertThat(within.json().get("results")).hasSize(2);
  }

  @Test
  void filteredSearchesCarryAFilterEfWithinTheWorkBound() {
    String filter = ".n >= 0" + " or .n == 999".repeat(75); // about 1,000 characters
    int shard = cluster.table().bucketsOf("t1").get(0).shard().ordinal();
    try (Jedis admin = cluster.jedis(shard)) {
      admin.configSet("slowlog-log-slower-than", "0");
      admin.slowlogReset();
      try {
        // Unset: Redis's default (topK x 100) cut to the work bound on filter length x FILTER-EF.
        Response byDefault = cluster.post("/v1/tenants/t1/query", query().put("filterExpression", filter));
        assertThat(byDefault.status()).as("%s", byDefault).isEqualTo(200);
        assertThat(byDefault.json().get("results")).hasSize(1);
        // Asked for, within the bound: sent as asked.
        Response asked = cluster.post("/v1/tenants/t1/query", query().put("filterExpression", filter).put("filterEf", 40));
        assertThat(asked.status()).as("%s", asked).isEqualTo(200);
        List<String> sent = admin.slowlogGet(50).stream().map(Slowlog::getArgs)
            .filter(args -> args.get(0).equalsIgnoreCase("VSIM")).map(args -> {
              int at = args.indexOf("FILTER-EF");
              return at < 0 ? "none" : args.get(at + 1);
            }).toList();
        assertThat(sent).containsExactlyInAnyOrder(Integer.toString((int) (QueryLimits.DEFAULTS.maxFilterWork() / filter.length())), "40");
      } finally {
        admin.configSet("slowlog-log-slower-than", "10000");
      }
    }
  }
}
