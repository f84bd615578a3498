package io.vectorshard.engine.rebalance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorshard.api.PlacementSpec;
import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.api.VectorsSpec;
import io.vectorshard.core.placement.Placement;
import io.vectorshard.core.redis.Keys;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardClients;
import io.vectorshard.core.redis.ShardMoves.Element;
import io.vectorshard.core.routing.RoutingPublisher;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.RoutingTableCodec;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.routing.Transition;
import io.vectorshard.core.routing.Transition.Phase;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.engine.Inventory;
import io.vectorshard.engine.RoutingEngine;
import io.vectorshard.engine.TableDecision;
import io.vectorshard.engine.TablePlanner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;

/**
 * The transition engine on four real Redis 8 servers, without routers (the chaos test in the
 * local module runs it under live traffic): moves land every element unchanged on its new shard,
 * both methods are used according to the measured rates, and a run killed at any step is finished
 * by the next one from what the shards hold.
 */
class RebalancerTest {
  static final int DIMS = 8;
  /** A tenant that 3 -> 4 shards moves (to shard 3), to hold the bucket too large for MIGRATE. */
  static final String BIG = IntStream.range(0, 100).mapToObj(i -> "big-" + i)
      .filter(t -> Placement.uniform(4).shardOf(t, 0) == 3).findFirst().orElseThrow();

  static RedisShards shards;
  static ShardClients clients;

  @BeforeAll
  static void start() {
    shards = RedisShards.start(4);
    clients = new ShardClients(RedisShards.ADMIN, Duration.ofSeconds(5));
  }

  @AfterAll
  static void stop() {
    clients.close();
    shards.close();
  }

  @BeforeEach
  void clean() {
    shards.flushAll();
  }

  static VectorShardClusterSpec spec(int count) {
    VectorShardClusterSpec spec = shards.spec(DIMS);
    spec.setShards(count);
    spec.getVectors().setQuantization(VectorsSpec.Quantization.Q8);
    spec.setPlacement(new PlacementSpec());
    return spec;
  }

  static RoutingTable table(int count, long epoch) {
    return RoutingTable.of("rag", epoch, spec(count), shards.endpoints().subList(0, count));
  }

  /** Writes tenants at their homes under {@code table} and returns what each holds, as stored. */
  static Map<String, Map<String, Element>> populate(RoutingTable table, int tenants, int perTenant, int big) {
    new RoutingPublisher(clients).publish(table);
    Random random = new Random(7);
    Map<String, Integer> sizes = new LinkedHashMap<>();
    for (int t = 0; t < tenants; t++) {
      sizes.put("t" + t, perTenant);
    }
    if (big > 0) {
      sizes.put(BIG, big);
    }
    Map<String, Map<String, Element>> stored = new LinkedHashMap<>();
    sizes.forEach((tenant, n) -> {
      RoutingTable.BucketLocation home = table.bucketsOf(tenant).get(0);
      ShardClient shard = clients.get(home.shard());
      List<ShardClient.Write> writes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        float[] v = new float[DIMS];
        for (int d = 0; d < DIMS; d++) {
          v[d] = (float) random.nextGaussian();
        }
        writes.add(new ShardClient.Write(home.key(), tenant + "-" + i, v, i % 2 == 0 ? "{\"i\":" + i + "}" : ""));
      }
      for (int from = 0; from < writes.size(); from += 1000) {
        shard.upsert(table.epoch(), tenant, table.vectors(), writes.subList(from, Math.min(writes.size(), from + 1000)));
      }
      stored.put(tenant, read(shard, home.key()));
    });
    return stored;
  }

  static Map<String, Element> read(ShardClient shard, String key) {
    return shard.moves().read(key, shard.moves().ids(key), DIMS);
  }

  /** Every element where the final table puts it, unchanged, and nothing anywhere else. */
  static void assertAtHome(RoutingTable table, Map<String, Map<String, Element>> expected) {
    Inventory inventory = new RoutingEngine(clients).observe(shards.endpoints()).inventory();
    assertThat(TablePlanner.moves(table.placement(), inventory)).as("keys off their home").isEmpty();
    expected.forEach((tenant, elements) -> {
      Map<String, Element> found = new LinkedHashMap<>();
      for (RoutingTable.BucketLocation home : table.bucketsOf(tenant)) {
        read(clients.get(home.shard()), home.key()).forEach((id, e) -> {
          assertThat(table.locate(tenant, id).key()).as("bucket of %s %s", tenant, id).isEqualTo(home.key());
          found.put(id, e);
        });
      }
      assertThat(found.keySet()).as("ids of %s", tenant).containsExactlyInAnyOrderElementsOf(elements.keySet());
      elements.forEach((id, e) -> assertThat(found.get(id).sameAs(e)).as("%s %s", tenant, id).isTrue());
    });
    for (ShardEndpoint e : shards.endpoints()) {
      try (Jedis redis = RedisShards.admin(e.host(), e.port())) {
        assertThat(redis.keys("vsc:dirty:*")).isEmpty();
        assertThat(redis.keys("vsc:tomb:*")).isEmpty();
        assertThat(redis.keys("vsc:probe")).isEmpty();
        for (String tenant : redis.smembers(Keys.TENANTS)) {
          assertThat(table.bucketsOf(tenant).stream().anyMatch(b -> b.shard().equals(e)))
              .as("%s lists %s, which has no bucket there", e.id(), tenant).isTrue();
        }
      }
    }
  }

  static RoutingTable liveTable() {
    return new RoutingEngine(clients).observe(shards.endpoints()).liveTable().orElseThrow();
  }

  /** Records what the engine reported, and can throw at a chosen callback: a kill at that point. */
  static final class Recorder implements RebalanceListener {
    final List<String> notes = new ArrayList<>();
    final List<Duration> pauses = new ArrayList<>();
    final List<PlannedMove> moved = new ArrayList<>();
    RebalanceProgress last;
    int calls;
    final int killAt;

    Recorder(int killAt) {
      this.killAt = killAt;
    }

    private void tick() {
      if (++calls == killAt) {
        throw new Killed();
      }
    }

    @Override
    public void progress(RebalanceProgress progress) {
      last = progress;
      tick();
    }

    @Override
    public void moved(PlannedMove move, Duration took) {
      moved.add(move);
      tick();
    }

    @Override
    public void writePause(PlannedMove move, Duration pause) {
      pauses.add(pause);
      tick();
    }

    @Override
    public void note(String message) {
      notes.add(message);
      tick();
    }
  }

  static final class Killed extends RuntimeException {}

  @Test
  void scaleUpMovesAboutAQuarterToTheNewShardAtomicallyAndStreamsWhatDoesNotFitTheBudget() {
    Map<String, Map<String, Element>> data = populate(table(3, 1), 60, 20, 20_000);
    RoutingTable live = liveTable();
    Recorder recorder = new Recorder(-1);
    // A budget that the small buckets fit and the big one (about 2 MB) does not, by the measured rate.
    Rebalancer rebalancer = new Rebalancer(clients, Duration.ofMillis(4), null, recorder);
    TableDecision decision = TablePlanner.decide(table(4, 1), Optional.of(live),
        new RoutingEngine(clients).observe(shards.endpoints()).inventory());
    assertThat(decision).isInstanceOf(TableDecision.Rebalance.class);
    TableDecision.Rebalance rebalance = (TableDecision.Rebalance) decision;
    assertThat(rebalance.moves()).allSatisfy(m -> assertThat(m.to()).isEqualTo(3));

    RoutingTable done = rebalancer.run(live, rebalance.target());

    assertThat(done.transition()).isNull();
    assertThat(done.shards()).hasSize(4);
    assertThat(done.epoch()).isGreaterThan(live.epoch() + 1);
    assertThat(RoutingTableCodec.fromJson(clients.get(shards.endpoints().get(0)).routingJson())).isEqualTo(done);
    assertAtHome(done, data);
    assertThat(recorder.moved).hasSameSizeAs(rebalance.moves());
    assertThat(recorder.moved).filteredOn(m -> m.method() == MoveMethod.ATOMIC).isNotEmpty()
        .allSatisfy(m -> assertThat(m.move().tenant()).isNotEqualTo(BIG));
    assertThat(recorder.moved).filteredOn(m -> m.method() == MoveMethod.STREAM).singleElement()
        .satisfies(m -> assertThat(m.move().tenant()).isEqualTo(BIG));
    assertThat(recorder.pauses).hasSize(1);
    assertThat(recorder.last.movesDone()).isEqualTo(recorder.last.movesTotal());
    assertThat(recorder.last.vectorsMoved()).isEqualTo(recorder.last.vectorsTotal());
  }

  @Test
  void scaleDownDrainsTheLeavingShardsAndTheFinalTableNoLongerListsThem() {
    Map<String, Map<String, Element>> data = populate(table(4, 1), 40, 10, 0);
    RoutingTable live = liveTable();
    RoutingTable target = table(2, 1);
    new Rebalancer(clients, Duration.ofMillis(250), null, RebalanceListener.NONE).run(live, target);
    RoutingTable done = liveTable();
    assertThat(done.shards()).hasSize(2);
    assertAtHome(done, data);
    // The leaving shards were fenced with the final epoch too, and hold nothing.
    for (int i = 2; i < 4; i++) {
      ShardClient leaving = clients.get(shards.endpoints().get(i));
      assertThat(leaving.epoch()).isEqualTo(done.epoch());
      assertThat(leaving.admin().bucketSizes()).isEmpty();
    }
  }

  /**
   * Kills the engine at many points (the listener throws at its k-th callback, from the first
   * note through the final one) and lets a new engine resume from the shards alone.
   */
  @Test
  void aRunKilledAtAnyStepIsFinishedByTheNext() {
    Map<String, Map<String, Element>> data = populate(table(3, 1), 24, 10, 6_000);
    RoutingTable target = table(4, 1);
    // What an engine killed between its calibration's MIGRATE and DEL leaves on the target.
    clients.get(shards.endpoints().get(3)).moves().writeProbe(TransferRates.PROBE_KEY, target.vectors(), 10, 1);
    // The first callbacks are the fence and the plan, later ones fall among the atomic moves,
    // then inside the streamed bucket's phases.
    int kills = runKilledAtRandomPoints(target, 11, 120);
    new Rebalancer(clients, Duration.ofMillis(2), null, RebalanceListener.NONE).run(liveTable(), target);
    assertThat(kills).isGreaterThan(3);
    RoutingTable done = liveTable();
    assertThat(done.transition()).isNull();
    assertThat(done.shards()).hasSize(4);
    assertAtHome(done, data);
  }

  /**
   * A streamed bucket found in each phase (as a killed engine leaves it, the target holding part of
   * the copy) is finished: copied, verified, switched and removed from its source.
   */
  @ParameterizedTest
  @EnumSource(Phase.class)
  void aStreamedBucketIsResumedFromTheLiveTablesPhase(Phase phase) {
    Map<String, Map<String, Element>> data = populate(table(3, 1), 0, 0, 3_000);
    RoutingTable live = liveTable();
    RoutingTable target = table(4, 1);
    int from = live.placement().shardOf(BIG, 0);
    String key = Keys.bucket(BIG, 0, 1);
    ShardClient source = clients.get(shards.endpoints().get(from));
    ShardClient dest = clients.get(shards.endpoints().get(3));
    List<Element> elements = List.copyOf(data.get(BIG).values());
    List<Element> part = phase == Phase.SWITCHED ? elements
        : elements.subList(0, elements.size() / 2);
    Transition transition = new Transition(live.placement(), List.of())
        .withPhase(BIG, 0, phase);
    RoutingTable stopped = new RoutingTable("rag", live.epoch() + 1, target.vectors(), target.shards(), target.placement(),
        transition);
    new RoutingPublisher(clients).publishTo(stopped, target.shards());
    dest.moves().copy(stopped.epoch(), BIG, stopped.vectors(), key, part, false);

    Recorder recorder = new Recorder(-1);
    RoutingTable done = new Rebalancer(clients, Duration.ofMillis(2), null, recorder).run(liveTable(), target);

    assertThat(recorder.notes).anyMatch(n -> n.startsWith("resuming the transition at epoch " + stopped.epoch()));
    assertAtHome(done, data);
    assertThat(source.moves().exists(key)).isFalse();
    assertThat(recorder.pauses).hasSize(phase == Phase.SWITCHED ? 0 : 1);
  }

  /**
   * Runs engines towards {@code target}, each killed at a callback drawn at random below a limit
   * that doubles up to {@code maxLimit}, so kills fall at ever later steps; returns how many died.
   */
  static int runKilledAtRandomPoints(RoutingTable target, long seed, int maxLimit) {
    Random random = new Random(seed);
    int kills = 0;
    for (int limit = 3; limit <= maxLimit; limit *= 2) {
      try {
        new Rebalancer(clients, Duration.ofMillis(2), null, new Recorder(1 + random.nextInt(limit))).run(liveTable(), target);
      } catch (Killed killed) {
        kills++;
      }
    }
    return kills;
  }

  static RoutingTable spreadTable(int count, String tenant, int buckets) {
    VectorShardClusterSpec spec = spec(count);
    spec.getPlacement().getSpread().add(new PlacementSpec.SpreadTenant(tenant, buckets));
    return RoutingTable.of("rag", 1, spec, shards.endpoints().subList(0, count));
  }

  /**
   * A spread change re-buckets the tenant's elements into the keys of its new count, with the
   * engine killed at random points and resumed; then the spread shrinks again (1 -> 3 buckets on
   * 3 -> 4 shards, then 3 -> 2), and a tenant named in the spread without data is switched too.
   */
  @Test
  void aSpreadChangeReBucketsTheTenantsElementsAndSurvivesKills() {
    Map<String, Map<String, Element>> data = populate(table(3, 1), 6, 10, 3_000);
    VectorShardClusterSpec withEmpty = spec(4);
    withEmpty.getPlacement().getSpread().add(new PlacementSpec.SpreadTenant(BIG, 3));
    withEmpty.getPlacement().getSpread().add(new PlacementSpec.SpreadTenant("nobody-yet", 2));
    RoutingTable wider = RoutingTable.of("rag", 1, withEmpty, shards.endpoints());
    TableDecision decision = TablePlanner.decide(wider, Optional.of(liveTable()),
        new RoutingEngine(clients).observe(shards.endpoints()).inventory());
    assertThat(decision).isInstanceOfSatisfying(TableDecision.Rebalance.class, r -> assertThat(r.moves())
        .filteredOn(m -> m.rebuckets()).extracting(m -> m.tenant()).containsExactlyInAnyOrder(BIG, "nobody-yet"));
    int kills = runKilledAtRandomPoints(wider, 5, 96);
    Recorder finished = new Recorder(-1);
    new Rebalancer(clients, Duration.ofMillis(2), null, finished).run(liveTable(), wider);
    assertThat(kills).isGreaterThan(2);
    RoutingTable done = liveTable();
    assertThat(done.transition()).isNull();
    assertThat(done.placement().bucketsOf(BIG)).isEqualTo(3);
    assertAtHome(done, data);
    assertThat(done.bucketsOf(BIG)).allSatisfy(b -> assertThat(clients.get(b.shard()).moves().cardinality(b.key()))
        .as("every new bucket holds part of the tenant").isPositive());

    RoutingTable narrower = spreadTable(4, BIG, 2);
    Recorder back = new Recorder(-1);
    new Rebalancer(clients, Duration.ofMillis(250), null, back).run(liveTable(), narrower);
    assertAtHome(liveTable(), data);
    assertThat(back.moved).extracting(PlannedMove::method).containsOnly(MoveMethod.REBUCKET);
    assertThat(back.pauses).as("one fence per re-bucketed tenant").hasSize(2);
  }

  @Test
  void aShardThatCannotBeReachedFailsTheRunWithItsName() {
    populate(table(2, 1), 10, 5, 0);
    RoutingTable live = liveTable();
    ShardEndpoint nowhere = ShardEndpoint.of(2, "127.0.0.1", RedisShards.freePort());
    RoutingTable target = new RoutingTable("rag", 1, live.vectors(), List.of(live.shards().get(0), live.shards().get(1), nowhere),
        live.placement().withShards(3));
    try (ShardClients quick = new ShardClients(RedisShards.ADMIN, Duration.ofMillis(500))) {
      assertThatThrownBy(() -> new Rebalancer(quick, Duration.ofMillis(250), null, RebalanceListener.NONE).run(live, target))
          .hasMessageContaining("shard-2");
    }
    // Nothing moved: the live table is the one from before (the fence never reached every shard).
    assertThat(liveTable().transition()).isNull();
  }
}
