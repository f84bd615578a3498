package io.vectorshard.core.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.vectorshard.api.VectorsSpec;
import io.vectorshard.core.redis.ShardClient.Applied;
import io.vectorshard.core.redis.ShardClient.Write;
import io.vectorshard.core.redis.ShardMoves.Element;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.routing.VectorSettings;
import io.vectorshard.core.testing.RedisShards;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;

/**
 * The move protocol's shard side on two real Redis 8 servers: the write modes of the function
 * library (moved answers, dirty ids, tombstones), the copier's writes and reads, and MIGRATE.
 */
class ShardMovesTest {
  static final String TENANT = "acme";
  static final String KEY = Keys.bucket(TENANT, 0, 1);
  static final int DIMS = 8;

  static RedisShards shards;
  static ShardClient source;
  static ShardClient target;

  @BeforeAll
  static void start() {
    shards = RedisShards.start(2);
    source = new ShardClient(shards.endpoints().get(0), RedisShards.ADMIN, Duration.ofSeconds(5), 2);
    target = new ShardClient(shards.endpoints().get(1), RedisShards.ADMIN, Duration.ofSeconds(5), 2);
  }

  @AfterAll
  static void stop() {
    source.close();
    target.close();
    shards.close();
  }

  @BeforeEach
  void clean() {
    shards.flushAll();
    source.admin().loadFunctions();
    target.admin().loadFunctions();
  }

  static VectorSettings settings(VectorsSpec.Quantization q) {
    return new VectorSettings(DIMS, q, 16, 200);
  }

  static float[] vector(Random random) {
    float[] v = new float[DIMS];
    for (int i = 0; i < DIMS; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  static Write write(String id, WriteMode mode, float[] v, String attrs) {
    return new Write(KEY, mode, id, v, attrs);
  }

  static Jedis redis(ShardClient shard) {
    return RedisShards.admin(shard.endpoint().host(), shard.endpoint().port());
  }

  @Test
  void theSourceOfAnAtomicMoveWritesOnlyWhileItHoldsTheKey() {
    VectorSettings s = settings(VectorsSpec.Quantization.Q8);
    Random random = new Random(1);
    // Not here: moved, and nothing is created (a key gone from its source never comes back there).
    assertThat(source.upsert(1, TENANT, s, List.of(write("a", WriteMode.ATOMIC_SOURCE, vector(random), ""))))
        .containsExactly(Applied.MOVED);
    assertThat(source.moves().exists(KEY)).isFalse();
    assertThat(source.remove(1, KEY, WriteMode.ATOMIC_SOURCE, List.of("a")).moved()).isTrue();
    try (Jedis r = redis(source)) {
      assertThat(r.smembers(Keys.TENANTS)).isEmpty();
    }
    // Here: written as at home.
    source.upsert(1, TENANT, s, List.of(write("a", WriteMode.HOME, vector(random), "")));
    assertThat(source.upsert(1, TENANT, s, List.of(write("b", WriteMode.ATOMIC_SOURCE, vector(random), "{\"n\":1}"))))
        .containsExactly(Applied.CREATED);
    assertThat(source.remove(1, KEY, WriteMode.ATOMIC_SOURCE, List.of("a", "zz"))).isEqualTo(new ShardClient.Removal(1, false));
  }

  @Test
  void theOldBucketOfARebucketedTenantIsWrittenEvenWhenAbsentAndMarksDirtyIds() {
    VectorSettings s = settings(VectorsSpec.Quantization.Q8);
    Random random = new Random(4);
    // Unlike a streamed bucket's source, the old bucket stays authoritative until the switch.
    assertThat(source.upsert(1, TENANT, s, List.of(write("a", WriteMode.REBUCKET_SOURCE, vector(random), ""))))
        .containsExactly(Applied.CREATED);
    assertThat(source.moves().exists(KEY)).isTrue();
    source.upsert(1, TENANT, s, List.of(write("b", WriteMode.REBUCKET_SOURCE, vector(random), "")));
    assertThat(source.remove(1, KEY, WriteMode.REBUCKET_SOURCE, List.of("b"))).isEqualTo(new ShardClient.Removal(1, false));
    assertThat(source.moves().dirtyIds(KEY)).containsExactlyInAnyOrder("a", "b");
    try (Jedis r = redis(source)) {
      assertThat(r.smembers(Keys.TENANTS)).containsExactly(TENANT);
      assertThat(r.exists(Keys.tombstones(KEY))).as("tombstones are the target's").isFalse();
    }
  }

  @Test
  void streamingWritesMarkDirtyIdsAndTheTargetKeepsTombstones() {
    VectorSettings s = settings(VectorsSpec.Quantization.NOQUANT);
    Random random = new Random(2);
    source.upsert(1, TENANT, s, List.of(write("a", WriteMode.HOME, vector(random), ""), write("b", WriteMode.HOME, vector(random), "")));
    source.upsert(1, TENANT, s, List.of(write("a", WriteMode.STREAM_SOURCE, vector(random), "{\"v\":2}")));
    source.remove(1, KEY, WriteMode.STREAM_SOURCE, List.of("b"));
    assertThat(source.moves().dirtyIds(KEY)).containsExactlyInAnyOrder("a", "b");

    target.upsert(1, TENANT, s, List.of(write("a", WriteMode.STREAM_TARGET, vector(random), "{\"v\":2}")));
    target.remove(1, KEY, WriteMode.STREAM_TARGET, List.of("b"));
    assertThat(target.moves().dirtyIds(KEY)).containsExactlyInAnyOrder("a", "b");
    try (Jedis r = redis(target)) {
      assertThat(r.smembers(Keys.tombstones(KEY))).containsExactly("b");
    }
    // The copier now brings an old "b" (read before the delete) and "a": both skipped.
    Map<String, Element> old = new LinkedHashMap<>();
    old.put("a", new Element("a", vector(random), null, "f32", new byte[0], 1, null));
    old.put("b", new Element("b", vector(random), null, "f32", new byte[0], 1, null));
    assertThat(target.moves().copy(1, TENANT, s, KEY, List.copyOf(old.values()), false)).isZero();
    assertThat(target.get(KEY, "b")).isNull();
    assertThat(target.get(KEY, "a").attributes()).isEqualTo("{\"v\":2}");
    // A later upsert of "b" clears its tombstone.
    target.upsert(1, TENANT, s, List.of(write("b", WriteMode.STREAM_TARGET, vector(random), "")));
    try (Jedis r = redis(target)) {
      assertThat(r.smembers(Keys.tombstones(KEY))).isEmpty();
    }
    source.moves().clearDirty(KEY);
    assertThat(source.moves().dirtyIds(KEY)).isEmpty();
  }

  @Test
  void aTenantDroppedOnTheTargetIsNotBroughtBackByTheCopier() {
    VectorSettings s = settings(VectorsSpec.Quantization.NOQUANT);
    Random random = new Random(3);
    target.upsert(1, TENANT, s, List.of(write("a", WriteMode.STREAM_TARGET, vector(random), "")));
    assertThat(target.dropTenant(1, TENANT, Map.of(KEY, WriteMode.STREAM_TARGET))).isEqualTo(1);
    Element stale = new Element("c", vector(random), null, "f32", new byte[0], 1, null);
    assertThat(target.moves().copy(1, TENANT, s, KEY, List.of(stale), false)).isZero();
    assertThat(target.moves().exists(KEY)).isFalse();
    // A write after the drop is the client's, and stays.
    target.upsert(1, TENANT, s, List.of(write("d", WriteMode.STREAM_TARGET, vector(random), "")));
    assertThat(target.moves().cardinality(KEY)).isEqualTo(1);
  }

  @Test
  void copierWritesAreFenced() {
    VectorSettings s = settings(VectorsSpec.Quantization.NOQUANT);
    target.admin().publish(5, "{}");
    Element e = new Element("a", vector(new Random(4)), null, "f32", new byte[0], 1, null);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> target.moves().copy(4, TENANT, s, KEY, List.of(e), false))
        .isInstanceOf(StaleEpochException.class);
    assertThat(target.moves().copy(5, TENANT, s, KEY, List.of(e), false)).isEqualTo(1);
  }

  /** What the copier reads and writes back is the same stored element: codes, norm and attributes. */
  @ParameterizedTest
  @EnumSource(VectorsSpec.Quantization.class)
  void aStreamedCopyStoresWhatTheSourceStores(VectorsSpec.Quantization quantization) {
    VectorSettings s = settings(quantization);
    Random random = new Random(5);
    List<Write> writes = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      float[] v = vector(random);
      for (int d = 0; d < DIMS; d++) {
        v[d] *= 3.5f; // not unit length: the norm must survive the copy
      }
      writes.add(write("e" + i, WriteMode.HOME, v, i % 3 == 0 ? "" : "{\"i\":" + i + "}"));
    }
    source.upsert(1, TENANT, s, writes);
    List<String> ids = source.moves().ids(KEY);
    assertThat(ids).hasSize(300).doesNotHaveDuplicates();
    Map<String, Element> read = source.moves().read(KEY, ids, DIMS);
    assertThat(target.moves().copy(1, TENANT, s, KEY, List.copyOf(read.values()), false)).isEqualTo(300);
    Map<String, Element> copied = target.moves().read(KEY, ids, DIMS);
    for (String id : ids) {
      assertThat(copied.get(id).sameAs(read.get(id))).as("element %s (%s)", id, quantization).isTrue();
    }
    // And a real difference is seen.
    Element changed = new Element("e1", vector(random), "{\"i\":1}", read.get("e1").quantization(),
        read.get("e1").raw(), read.get("e1").norm(), read.get("e1").range());
    target.moves().copy(1, TENANT, s, KEY, List.of(changed), true);
    assertThat(target.moves().read(KEY, List.of("e1"), DIMS).get("e1").sameAs(read.get("e1"))).isFalse();
    try (Jedis r = redis(target)) {
      assertThat(r.smembers(Keys.TENANTS)).containsExactly(TENANT);
    }
  }

  @Test
  void migrateMovesTheKeyWholeAndLeavesNothingBehind() {
    VectorSettings s = settings(VectorsSpec.Quantization.Q8);
    Random random = new Random(6);
    List<Write> writes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      writes.add(write("m" + i, WriteMode.HOME, vector(random), "{\"i\":" + i + "}"));
    }
    source.upsert(1, TENANT, s, writes);
    Map<String, Element> before = source.moves().read(KEY, source.moves().ids(KEY), DIMS);
    assertThat(source.moves().bytesOf(KEY)).isPositive();
    assertThat(source.moves().migrate(KEY, target.endpoint(), Duration.ofSeconds(5))).isTrue();
    assertThat(source.moves().exists(KEY)).isFalse();
    assertThat(source.moves().migrate(KEY, target.endpoint(), Duration.ofSeconds(5))).isFalse();
    Map<String, Element> after = target.moves().read(KEY, List.copyOf(before.keySet()), DIMS);
    assertThat(after).hasSize(200);
    before.forEach((id, e) -> assertThat(after.get(id).sameAs(e)).isTrue());
    // MIGRATE is bit-identical, ranges included.
    before.forEach((id, e) -> assertThat(after.get(id).range()).isEqualTo(e.range()));
  }
}
