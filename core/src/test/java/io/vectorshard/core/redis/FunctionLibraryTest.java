package io.vectorshard.core.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vectorshard.api.VectorsSpec;
import io.vectorshard.core.redis.ShardClient.Hit;
import io.vectorshard.core.redis.ShardClient.QueryReply;
import io.vectorshard.core.redis.ShardClient.Write;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.routing.VectorSettings;
import io.vectorshard.core.testing.RedisShards;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.resps.LibraryInfo;

/** The Lua write path (vsc.lua) through {@link ShardClient}, on a real Redis 8 server. */
class FunctionLibraryTest {
  static final VectorSettings SETTINGS = new VectorSettings(3, VectorsSpec.Quantization.NOQUANT, 16, 200);
  static final String TENANT = "acme";
  static final String KEY = Keys.bucket(TENANT, 0, 1);
  static final String KEY1 = Keys.bucket(TENANT, 1, 3);

  static RedisShards shards;
  static ShardEndpoint endpoint;
  static ShardClient client;
  Jedis redis;

  @BeforeAll
  static void startRedis() {
    shards = RedisShards.start(1);
    endpoint = shards.endpoints().get(0);
    client = new ShardClient(endpoint, RedisShards.ADMIN, Duration.ofSeconds(2), 4);
    client.admin().loadFunctions();
  }

  @AfterAll
  static void stopRedis() {
    if (client != null) {
      client.close();
    }
    if (shards != null) {
      shards.close();
    }
  }

  @BeforeEach
  void cleanShard() {
    redis = RedisShards.admin(endpoint.host(), endpoint.port());
    redis.flushAll(); // keeps the function library, resets vsc:epoch to none (0)
  }

  @AfterEach
  void closeInspector() {
    redis.close();
  }

  /** Bucket keys of a tenant, each on its home shard. */
  static Map<String, WriteMode> homes(String... keys) {
    Map<String, WriteMode> modes = new java.util.LinkedHashMap<>();
    for (String key : keys) {
      modes.put(key, WriteMode.HOME);
    }
    return modes;
  }

  static Write write(String key, String id, String attributes, float... vector) {
    return new Write(key, id, vector, attributes);
  }

  @Test
  void functionsLoadAndReloadIdempotently() {
    client.admin().loadFunctions();
    List<LibraryInfo> libraries = redis.functionList(FunctionLibrary.NAME);
    assertThat(libraries).hasSize(1);
    assertThat(libraries.get(0).getFunctions()).extracting(f -> f.get("name")).containsExactlyInAnyOrder(
        FunctionLibrary.UPSERT, FunctionLibrary.REMOVE, FunctionLibrary.DROP_TENANT, FunctionLibrary.COPY,
        FunctionLibrary.PUBLISH, FunctionLibrary.VERSION);
    assertThat(redis.fcall(FunctionLibrary.VERSION, List.of(), List.of())).isEqualTo("4");
    assertThat(FunctionLibrary.source()).startsWith("#!lua name=vsc");
  }

  @Test
  void upsertCreatesThenUpdatesAndStoresAttributes() {
    assertThat(client.upsert(0, TENANT, SETTINGS, List.of(write(KEY, "doc-1", "{\"genre\":\"news\"}", 1, 0, 0))))
        .containsExactly(ShardClient.Applied.CREATED);
    assertThat(client.upsert(0, TENANT, SETTINGS, List.of(write(KEY, "doc-1", "{\"genre\":\"sport\"}", 0, 1, 0))))
        .containsExactly(ShardClient.Applied.UPDATED);

    ShardClient.StoredVector stored = client.get(KEY, "doc-1");
    assertThat(stored.attributes()).isEqualTo("{\"genre\":\"sport\"}");
    assertThat(stored.vector()).containsExactly(new float[] {0, 1, 0}, within(1e-6f));
    assertThat(redis.vcard(KEY)).isEqualTo(1);
    assertThat(redis.smembers(Keys.TENANTS)).containsExactly(TENANT);
    assertThat(client.tenants()).containsExactly(TENANT);
    assertThat(client.get(KEY, "missing")).isNull();
    assertThat(client.get(Keys.bucket("nobody", 0, 1), "doc-1")).isNull();
  }

  @Test
  void emptyAttributesClearPreviousAttributes() {
    client.upsert(0, TENANT, SETTINGS, List.of(write(KEY, "doc-1", "{\"genre\":\"news\"}", 1, 0, 0)));
    assertThat(client.get(KEY, "doc-1").attributes()).isEqualTo("{\"genre\":\"news\"}");
    assertThat(client.upsert(0, TENANT, SETTINGS, List.of(write(KEY, "doc-1", "", 1, 0, 0)))).containsExactly(ShardClient.Applied.UPDATED);
    assertThat(client.get(KEY, "doc-1").attributes()).isNull();
    assertThat(redis.vgetattr(KEY, "doc-1")).isNull();
    // null attributes mean none as well
    client.upsert(0, TENANT, SETTINGS, List.of(write(KEY, "doc-2", "{\"a\":1}", 0, 1, 0)));
    client.upsert(0, TENANT, SETTINGS, List.of(write(KEY, "doc-2", null, 0, 1, 0)));
    assertThat(client.get(KEY, "doc-2").attributes()).isNull();
    // A new element written without attributes has none (not an empty string).
    assertThat(client.upsert(0, TENANT, SETTINGS, List.of(write(KEY, "fresh", "", 0, 0, 1)))).containsExactly(ShardClient.Applied.CREATED);
    assertThat(client.get(KEY, "fresh").attributes()).isNull();
    assertThat(redis.vgetattr(KEY, "fresh")).isNull();
    assertThat(client.attributes(Map.of(KEY, List.of("fresh", "doc-1")))).containsExactly(Map.entry(KEY, Map.of()));
  }

  @Test
  void batchesLargerThanAChunkKeepTheOrderOfReplies() {
    List<Write> writes = new ArrayList<>();
    for (int i = 0; i < 2 * ShardClient.UPSERT_CHUNK + 5; i++) {
      writes.add(write(i % 2 == 0 ? KEY : KEY1, "doc-" + i, "{\"i\":" + i + "}", 1, i, 0));
    }
    assertThat(client.upsert(0, TENANT, SETTINGS, writes)).hasSize(writes.size()).containsOnly(ShardClient.Applied.CREATED);
    // Rewrite every third element plus new ones: flags must line up with the input order.
    List<Write> mixed = new ArrayList<>();
    List<ShardClient.Applied> expected = new ArrayList<>();
    for (int i = 0; i < writes.size() + 10; i++) {
      if (i % 3 == 0 || i >= writes.size()) {
        mixed.add(write(i % 2 == 0 ? KEY : KEY1, "doc-" + i, "", 0, 0, 1));
        expected.add(i >= writes.size() ? ShardClient.Applied.CREATED : ShardClient.Applied.UPDATED);
      }
    }
    assertThat(client.upsert(0, TENANT, SETTINGS, mixed)).containsExactlyElementsOf(expected);
    assertThat(client.admin().cardinalities(List.of(KEY, KEY1, Keys.bucket(TENANT, 2, 3))))
        .containsExactly(Map.entry(KEY, 72L), Map.entry(KEY1, 71L), Map.entry(Keys.bucket(TENANT, 2, 3), 0L));
    assertThat(client.attributes(Map.of(KEY, List.of("doc-2", "doc-0", "missing"))))
        .containsExactly(Map.entry(KEY, Map.of("doc-2", "{\"i\":2}")));
  }

  @Test
  void staleEpochWritesAreRefusedAndChangeNothing() {
    assertThat(client.admin().publish(5, "{\"epoch\":5}")).isTrue();
    assertThat(client.epoch()).isEqualTo(5);
    client.upsert(5, TENANT, SETTINGS, List.of(
        write(KEY, "doc-1", "{\"v\":1}", 1, 0, 0), write(KEY1, "doc-2", "{\"v\":2}", 0, 1, 0)));

    assertThatThrownBy(() -> client.upsert(4, TENANT, SETTINGS, List.of(
        write(KEY, "doc-1", "{\"v\":99}", 0, 0, 1), write(KEY, "doc-new", "", 0, 0, 1))))
        .isInstanceOfSatisfying(StaleEpochException.class, e -> {
          assertThat(e.shardEpoch()).isEqualTo(5);
          assertThat(e.shard()).isEqualTo("shard-0");
        });
    assertThat(redis.vcard(KEY)).isEqualTo(1);
    assertThat(client.get(KEY, "doc-1").attributes()).isEqualTo("{\"v\":1}");
    assertThat(client.get(KEY, "doc-1").vector()).containsExactly(new float[] {1, 0, 0}, within(1e-6f));
    assertThat(client.get(KEY, "doc-new")).isNull();

    assertThatThrownBy(() -> client.remove(4, KEY, WriteMode.HOME, List.of("doc-1")).removed())
        .isInstanceOfSatisfying(StaleEpochException.class, e -> assertThat(e.shardEpoch()).isEqualTo(5));
    assertThat(redis.vcard(KEY)).isEqualTo(1);

    assertThatThrownBy(() -> client.dropTenant(4, TENANT, homes(KEY, KEY1)))
        .isInstanceOfSatisfying(StaleEpochException.class, e -> assertThat(e.shardEpoch()).isEqualTo(5));
    assertThat(redis.exists(KEY, KEY1)).isEqualTo(2);
    assertThat(redis.sismember(Keys.TENANTS, TENANT)).isTrue();
    assertThat(client.epoch()).isEqualTo(5);

    // The shard's own epoch and newer ones pass the fence (a router may be ahead of a shard).
    assertThat(client.upsert(5, TENANT, SETTINGS, List.of(write(KEY, "doc-3", "", 0, 0, 1)))).containsExactly(ShardClient.Applied.CREATED);
    assertThat(client.upsert(6, TENANT, SETTINGS, List.of(write(KEY, "doc-1", "{\"v\":6}", 1, 0, 0))))
        .containsExactly(ShardClient.Applied.UPDATED);
    assertThat(client.get(KEY, "doc-1").attributes()).isEqualTo("{\"v\":6}");
    assertThat(client.remove(5, KEY, WriteMode.HOME, List.of("doc-3")).removed()).isEqualTo(1);
    assertThat(client.remove(6, KEY, WriteMode.HOME, List.of("doc-1")).removed()).isEqualTo(1);
    assertThat(client.dropTenant(6, TENANT, homes(KEY, KEY1))).isEqualTo(1);
    assertThat(client.epoch()).isEqualTo(5);
  }

  @Test
  void nonNumericEpochIsAnError() {
    assertThatThrownBy(() -> redis.fcall(FunctionLibrary.REMOVE, List.of(KEY, Keys.dirty(KEY), Keys.tombstones(KEY)), List.of("four", "doc-1")))
        .isInstanceOf(JedisDataException.class).hasMessageContaining("epoch must be an integer");
  }

  @Test
  void dimensionMismatchAgainstAnExistingSetWritesNothing() {
    client.upsert(0, TENANT, SETTINGS, List.of(write(KEY, "doc-1", "", 1, 0, 0)));
    List<Write> chunk = List.of(
        write(KEY1, "other-key", "{\"x\":1}", 1, 0, 0), // a key that does not exist yet
        write(KEY, "doc-2", "", 0, 1, 0),
        write(KEY, "doc-1", "{\"changed\":1}", 0, 0, 1),
        write(KEY, "doc-4d", "", 0, 0, 0, 1)); // 4 dimensions into a 3-dimensional set
    assertThatThrownBy(() -> client.upsert(0, TENANT, SETTINGS, chunk))
        .isInstanceOf(JedisDataException.class)
        .hasMessageContaining("dimension mismatch");
    assertThat(redis.vcard(KEY)).isEqualTo(1);
    assertThat(redis.exists(KEY1)).isFalse();
    assertThat(client.get(KEY, "doc-1").attributes()).isNull();
    assertThat(client.get(KEY, "doc-1").vector()).containsExactly(new float[] {1, 0, 0}, within(1e-6f));
  }

  @Test
  void dimensionMismatchWithinAChunkForANewSetWritesNothing() {
    List<Write> chunk = List.of(
        write(KEY, "doc-1", "", 1, 0, 0),
        write(KEY, "doc-2", "", 0, 0, 0, 1)); // same new key, other dimension
    assertThatThrownBy(() -> client.upsert(0, TENANT, SETTINGS, chunk))
        .isInstanceOf(JedisDataException.class)
        .hasMessageContaining("dimension mismatch");
    assertThat(redis.exists(KEY)).isFalse();
    assertThat(redis.sismember(Keys.TENANTS, TENANT)).isFalse();
  }

  @Test
  void publishOnlyMovesEpochsForward() {
    assertThat(client.epoch()).isZero();
    assertThat(client.routingJson()).isNull();
    assertThat(client.admin().publish(5, "{\"table\":\"a\"}")).isTrue();
    assertThat(client.epoch()).isEqualTo(5);
    assertThat(client.routingJson()).isEqualTo("{\"table\":\"a\"}");

    assertThatThrownBy(() -> client.admin().publish(4, "{\"table\":\"old\"}"))
        .isInstanceOfSatisfying(StaleEpochException.class, e -> assertThat(e.shardEpoch()).isEqualTo(5));
    assertThat(client.admin().publish(5, "{\"table\":\"a\"}")).isFalse();
    assertThatThrownBy(() -> client.admin().publish(5, "{\"table\":\"b\"}"))
        .isInstanceOf(JedisDataException.class)
        .hasMessageContaining("epoch 5 already holds a different routing table");
    assertThatThrownBy(() -> client.admin().publish(0, "{}")).hasMessageContaining("positive integer");
    assertThat(client.epoch()).isEqualTo(5);
    assertThat(client.routingJson()).isEqualTo("{\"table\":\"a\"}");

    assertThat(client.admin().publish(6, "{\"table\":\"b\"}")).isTrue();
    assertThat(client.epoch()).isEqualTo(6);
    assertThat(client.routingJson()).isEqualTo("{\"table\":\"b\"}");
  }

  @Test
  void publishAnnouncesTheEpochOnTheRoutingChannel() throws Exception {
    BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    CountDownLatch subscribed = new CountDownLatch(1);
    JedisPubSub listener = new JedisPubSub() {
      @Override
      public void onSubscribe(String channel, int count) {
        subscribed.countDown();
      }

      @Override
      public void onMessage(String channel, String message) {
        messages.add(channel + "=" + message);
      }
    };
    Thread thread = Thread.ofVirtual().start(() -> {
      try (Jedis subscriber = RedisShards.admin(endpoint.host(), endpoint.port())) {
        subscriber.subscribe(listener, Keys.ROUTING_CHANNEL);
      }
    });
    try {
      assertThat(subscribed.await(5, TimeUnit.SECONDS)).isTrue();
      client.admin().publish(7, "{\"t\":7}");
      assertThat(messages.poll(5, TimeUnit.SECONDS)).isEqualTo("vsc:routing=7");
      client.admin().publish(7, "{\"t\":7}"); // a no-op republish announces nothing...
      client.admin().publish(8, "{\"t\":8}"); // ...so the next message is epoch 8
      assertThat(messages.poll(5, TimeUnit.SECONDS)).isEqualTo("vsc:routing=8");
      assertThat(messages).isEmpty();
    } finally {
      listener.unsubscribe();
      thread.join(5000);
    }
  }

  @Test
  void removeReturnsHowManyExisted() {
    client.upsert(0, TENANT, SETTINGS, List.of(
        write(KEY, "a", "", 1, 0, 0), write(KEY, "b", "", 0, 1, 0), write(KEY, "c", "", 0, 0, 1)));
    assertThat(client.remove(0, KEY, WriteMode.HOME, List.of("a", "b", "missing")).removed()).isEqualTo(2);
    assertThat(client.remove(0, KEY, WriteMode.HOME, List.of("a")).removed()).isZero();
    assertThat(redis.vcard(KEY)).isEqualTo(1);
    assertThat(client.remove(0, Keys.bucket("nobody", 0, 1), WriteMode.HOME, List.of("a")).removed()).isZero();
  }

  @Test
  void dropTenantDeletesItsKeysAndForgetsIt() {
    client.upsert(0, TENANT, SETTINGS, List.of(write(KEY, "a", "", 1, 0, 0), write(KEY1, "b", "", 0, 1, 0)));
    client.upsert(0, "other", SETTINGS, List.of(write(Keys.bucket("other", 0, 1), "a", "", 1, 0, 0)));
    assertThat(redis.smembers(Keys.TENANTS)).containsExactlyInAnyOrder(TENANT, "other");

    assertThat(client.dropTenant(0, TENANT, homes(KEY, KEY1, Keys.bucket(TENANT, 2, 3)))).isEqualTo(2);
    assertThat(redis.exists(KEY, KEY1)).isZero();
    assertThat(redis.smembers(Keys.TENANTS)).containsExactly("other");
    assertThat(redis.vcard(Keys.bucket("other", 0, 1))).isEqualTo(1);
    assertThat(client.dropTenant(0, TENANT, homes(KEY))).isZero();
  }

  @Test
  void queryReturnsHitsByScoreWithTheShardEpoch() {
    client.admin().publish(3, "{\"t\":3}");
    client.upsert(3, TENANT, SETTINGS, List.of(
        write(KEY, "same", "{\"genre\":\"news\",\"year\":2020}", 1, 0, 0),
        write(KEY, "close", "{\"genre\":\"sport\",\"year\":2021}", 0.9f, 0.1f, 0),
        write(KEY, "orthogonal", "{\"genre\":\"news\",\"year\":2022}", 0, 1, 0),
        write(KEY, "opposite", "", -1, 0, 0),
        write(KEY1, "other-bucket", "{\"genre\":\"news\"}", 0.5f, 0.5f, 0)));

    QueryReply reply = client.query(List.of(KEY, KEY1), new float[] {1, 0, 0}, 10, 100, null);
    assertThat(reply.shardEpoch()).isEqualTo(3);
    assertThat(reply.hitsByKey()).containsOnlyKeys(KEY, KEY1);
    List<Hit> hits = reply.hitsByKey().get(KEY);
    assertThat(hits).extracting(Hit::id).containsExactly("same", "close", "orthogonal", "opposite");
    assertThat(hits).extracting(Hit::key).containsOnly(KEY);
    assertThat(hits).extracting(Hit::score).allSatisfy(s -> assertThat(s).isBetween(0.0, 1.0))
        .isSortedAccordingTo((a, b) -> Double.compare(b, a));
    assertThat(hits.get(0).score()).isCloseTo(1.0, within(1e-6));
    assertThat(hits.get(2).score()).isCloseTo(0.5, within(1e-6)); // (1 + cos) / 2
    assertThat(hits.get(3).score()).isCloseTo(0.0, within(1e-6));
    assertThat(reply.hitsByKey().get(KEY1)).extracting(Hit::id).containsExactly("other-bucket");

    assertThat(client.query(List.of(KEY), new float[] {1, 0, 0}, 2, 100, null).hitsByKey().get(KEY))
        .extracting(Hit::id).containsExactly("same", "close");

    assertThat(client.query(List.of(KEY), new float[] {1, 0, 0}, 10, 100, ".genre == \"news\" and .year > 2020")
        .hitsByKey().get(KEY)).extracting(Hit::id).containsExactly("orthogonal");
  }

  @Test
  void malformedFilterIsAFilterSyntaxException() {
    client.upsert(0, TENANT, SETTINGS, List.of(write(KEY, "a", "{\"genre\":\"news\"}", 1, 0, 0)));
    assertThatThrownBy(() -> client.query(List.of(KEY), new float[] {1, 0, 0}, 10, 100, ".genre == "))
        .isInstanceOf(FilterSyntaxException.class)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FILTER");
    assertThatThrownBy(() -> client.query(List.of(KEY), new float[] {1, 0, 0}, 10, 100, "((("))
        .isInstanceOf(FilterSyntaxException.class);
  }

  @Test
  void queryOnAMissingKeyIsEmpty() {
    QueryReply reply = client.query(List.of(Keys.bucket("nobody", 0, 1)), new float[] {1, 0, 0}, 10, 100, null);
    assertThat(reply.hitsByKey()).containsExactly(Map.entry(Keys.bucket("nobody", 0, 1), List.of()));
    assertThat(reply.shardEpoch()).isZero();
  }
}
