package io.vectorshard.operator.kubernetes;

import java.time.Duration;
import io.vectorshard.operator.kubernetes.rebalance.RebalanceView;
import io.vectorshard.operator.kubernetes.Conditions.Observed;
import io.vectorshard.api.RebalanceStatus;
import io.vectorshard.api.RebalanceState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Condition;
import io.vectorshard.api.ShardStatus;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.api.VectorShardClusterStatus;
import io.vectorshard.api.VectorShardClusterStatus.Phase;
import io.vectorshard.core.redis.Keys.BucketKey;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.engine.Inventory;
import io.vectorshard.engine.Move;
import io.vectorshard.engine.Reason;
import io.vectorshard.engine.RoutingEngine;
import io.vectorshard.engine.ShardObservation;
import io.vectorshard.engine.TableDecision;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The status computed from every kind of observation, without an API server or Redis. */
class ClusterStatusTest {
  private static final String T0 = "2026-11-21T10:00:00Z";
  private static final String T1 = "2026-11-21T10:05:00Z";

  private static VectorShardCluster cluster(int shards, long generation, VectorShardClusterStatus status) {
    VectorShardCluster vsc = new VectorShardCluster();
    vsc.getMetadata().setName("rag");
    vsc.getMetadata().setNamespace("ns");
    vsc.getMetadata().setGeneration(generation);
    vsc.getSpec().setShards(shards);
    vsc.getSpec().getVectors().setDimensions(4);
    vsc.setStatus(status);
    return vsc;
  }

  private static Map<Integer, ShardEndpoint> endpoints(int shards) {
    return IntStream.range(0, shards).boxed().collect(Collectors.toMap(i -> i,
        i -> ShardEndpoint.of(i, "rag-shard-" + i + ".ns.svc", 6379), (a, b) -> a, TreeMap::new));
  }

  private static Map<Integer, Boolean> ready(boolean... perShard) {
    Map<Integer, Boolean> ready = new TreeMap<>();
    for (int i = 0; i < perShard.length; i++) {
      ready.put(i, perShard[i]);
    }
    return ready;
  }

  private static RoutingTable table(VectorShardCluster vsc, long epoch) {
    return RoutingTable.of("rag", epoch, vsc.getSpec(), List.copyOf(endpoints(vsc.getSpec().getShards()).values()));
  }

  /** Shard i holds i+1 tenants of 10 vectors each and i MiB plus 1000 bytes of memory. */
  private static RoutingEngine.Observation observation(int shards) {
    List<ShardObservation> seen = endpoints(shards).values().stream().map(e -> {
      Map<BucketKey, Long> buckets = IntStream.rangeClosed(0, e.ordinal()).boxed()
          .collect(Collectors.toMap(t -> new BucketKey("t" + e.ordinal() + "-" + t, 0, 1), t -> 10L));
      return new ShardObservation(e, 1, Optional.empty(), buckets, e.ordinal() * (1L << 20) + 1000, Optional.empty());
    }).toList();
    return new RoutingEngine.Observation(seen, Optional.empty(), Inventory.empty());
  }

  /** The outcome of a reconcile that found {@code table} live on 2 shards and left it as it is. */
  private static Optional<RoutingEngine.Outcome> serving(RoutingTable table) {
    return Optional.of(new RoutingEngine.Outcome(new TableDecision.Unchanged(table), observation(2), Optional.of(table)));
  }

  private static VectorShardClusterStatus compute(VectorShardCluster vsc, List<String> problems, Map<Integer, Boolean> ready,
      Optional<RoutingEngine.Outcome> outcome, String now) {
    return new ClusterStatus(problems, List.of(), Optional.empty(), ready, endpoints(ready.size()), outcome, Optional.empty()).compute(vsc, now);
  }

  private static Condition condition(VectorShardClusterStatus status, String type) {
    return Conditions.find(status.getConditions(), type).orElseThrow();
  }

  private static void assertConditions(VectorShardClusterStatus status, String ready, String progressing,
      String degraded) {
    assertThat(status.getConditions()).extracting(Condition::getType, Condition::getStatus).containsExactly(
        tuple(Conditions.READY, ready),
        tuple(Conditions.PROGRESSING, progressing),
        tuple(Conditions.DEGRADED, degraded));
  }

  @Test
  void anInvalidSpecSaysWhyAndThatNothingChanged() {
    VectorShardClusterStatus status = compute(cluster(2, 3, null), List.of("shards must be >= 1", "bad tenant"),
        Map.of(), Optional.empty(), T0);

    assertThat(status.getPhase()).isEqualTo(Phase.Invalid);
    assertThat(status.getObservedGeneration()).isEqualTo(3);
    assertConditions(status, "False", "False", "True");
    assertThat(condition(status, Conditions.READY).getReason()).isEqualTo("InvalidSpec");
    assertThat(condition(status, Conditions.READY).getMessage())
        .isEqualTo("invalid spec, nothing was changed: shards must be >= 1; bad tenant");
    assertThat(status.getConditions()).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(3));
  }

  @Test
  void aMissingPasswordSecretDegradesTheCluster() {
    VectorShardClusterStatus status = new ClusterStatus(List.of(), List.of(), Optional.of("Secret auth not found"), ready(true),
        endpoints(1), Optional.empty(), Optional.empty()).compute(cluster(1, 1, null), T0);

    assertThat(status.getPhase()).isEqualTo(Phase.Degraded);
    assertConditions(status, "False", "False", "True");
    assertThat(condition(status, Conditions.DEGRADED).getReason()).isEqualTo("PasswordUnavailable");
    assertThat(condition(status, Conditions.DEGRADED).getMessage()).isEqualTo("Secret auth not found");
  }

  @Test
  void shardsStartingBeforeAnyTableIsProvisioningNotDegraded() {
    VectorShardClusterStatus status = compute(cluster(3, 1, null), List.of(), ready(true, false, false),
        Optional.empty(), T0);

    assertThat(status.getPhase()).isEqualTo(Phase.Provisioning);
    assertThat(status.getReadyShards()).isEqualTo(1);
    assertThat(status.getEpoch()).isNull();
    assertConditions(status, "False", "True", "False");
    assertThat(condition(status, Conditions.READY).getMessage()).isEqualTo("1 of 3 shards ready");
    assertThat(status.getShards()).extracting(ShardStatus::getId, ShardStatus::isReady, ShardStatus::getEndpoint)
        .containsExactly(tuple("shard-0", true, "rag-shard-0.ns.svc:6379"),
            tuple("shard-1", false, "rag-shard-1.ns.svc:6379"),
            tuple("shard-2", false, "rag-shard-2.ns.svc:6379"));
    assertThat(status.getSelector()).isEqualTo("vectorshard.io/cluster=rag,app.kubernetes.io/component=shard");
  }

  @Test
  void publishingMakesItReadyWithCountsFromTheShards() {
    VectorShardCluster vsc = cluster(2, 1, null);
    RoutingTable table = table(vsc, 1);
    VectorShardClusterStatus status = compute(vsc, List.of(), ready(true, true), Optional.of(new RoutingEngine.Outcome(
        new TableDecision.Publish(table, "first table"), observation(2), Optional.of(table))), T0);

    assertThat(status.getPhase()).isEqualTo(Phase.Ready);
    assertThat(status.getEpoch()).isEqualTo(1);
    assertConditions(status, "True", "False", "False");
    assertThat(condition(status, Conditions.READY).getMessage()).isEqualTo("routing epoch 1 on 2 shards");
    assertThat(status.getShards()).extracting(ShardStatus::getVectors, ShardStatus::getTenants, ShardStatus::getMemoryBytes)
        .containsExactly(tuple(10L, 1, 0L),
            tuple(20L, 2, 1L << 20));
  }

  @Test
  void aShardLostAfterPublishingDegradesAndKeepsTheLastCounts() {
    VectorShardCluster vsc = cluster(2, 1, null);
    RoutingTable table = table(vsc, 4);
    VectorShardClusterStatus healthy = compute(vsc, List.of(), ready(true, true), serving(table), T0);

    VectorShardClusterStatus notReady = compute(cluster(2, 1, healthy), List.of(), ready(true, false),
        Optional.empty(), T1);
    assertThat(notReady.getPhase()).isEqualTo(Phase.Degraded);
    assertThat(notReady.getEpoch()).isEqualTo(4);
    assertConditions(notReady, "False", "True", "True");
    assertThat(notReady.getShards()).extracting(ShardStatus::getVectors).containsExactly(10L, 20L);

    RoutingEngine.Observation oneDown = new RoutingEngine.Observation(List.of(observation(2).shards().get(0),
        ShardObservation.unreachable(endpoints(2).get(1), "connection refused")), Optional.of(table), Inventory.empty());
    VectorShardClusterStatus unreachable = compute(cluster(2, 1, healthy), List.of(), ready(true, true),
        Optional.of(new RoutingEngine.Outcome(new TableDecision.Blocked(Reason.ShardUnreachable,
            "cannot reach shard-1 (connection refused)", List.of()), oneDown, Optional.of(table))), T1);
    assertThat(unreachable.getPhase()).isEqualTo(Phase.Degraded);
    assertThat(condition(unreachable, Conditions.DEGRADED).getReason()).isEqualTo("ShardUnreachable");
    assertThat(unreachable.getShards()).extracting(ShardStatus::getVectors).containsExactly(10L, 20L);
  }

  @Test
  void aRebalanceGivesTheClusterItsConditionsAndItsStatusWhileTheShardsAreUp() {
    VectorShardCluster vsc = cluster(3, 2, null);
    RebalanceStatus shown = new RebalanceStatus();
    shown.setState(RebalanceState.Running);
    shown.setPlanId("0123456789abcdef");
    RebalanceView view = new RebalanceView(shown, Phase.Rebalancing, List.of(
        new Observed(Conditions.READY, false, Reason.RebalanceRunning, "executing plan 0123456789abcdef"),
        new Observed(Conditions.PROGRESSING, true, Reason.RebalanceRunning, "executing plan 0123456789abcdef"),
        new Observed(Conditions.DEGRADED, false, Reason.AsExpected, "moving data while serving")), Duration.ofSeconds(2));

    VectorShardClusterStatus running = new ClusterStatus(List.of(), List.of(), Optional.empty(), ready(true, true, true),
        endpoints(3), Optional.empty(), Optional.of(view)).compute(vsc, T0);
    assertThat(running.getPhase()).isEqualTo(Phase.Rebalancing);
    assertConditions(running, "False", "True", "False");
    assertThat(condition(running, Conditions.READY).getReason()).isEqualTo("RebalanceRunning");
    assertThat(running.getRebalance()).isEqualTo(shown);

    // A shard going down mid-way: the shards' condition wins, the rebalance stays on show.
    VectorShardClusterStatus shardDown = new ClusterStatus(List.of(), List.of(), Optional.empty(), ready(true, false, true),
        endpoints(3), Optional.empty(), Optional.of(view)).compute(vsc, T1);
    assertThat(condition(shardDown, Conditions.READY).getReason()).isEqualTo("ShardsNotReady");
    assertThat(shardDown.getRebalance().getPlanId()).isEqualTo("0123456789abcdef");
  }

  @Test
  void changedVectorSettingsAreInvalidAndTheOldTableKeepsServing() {
    VectorShardCluster vsc = cluster(2, 2, null);
    RoutingTable live = table(vsc, 3);
    VectorShardClusterStatus status = compute(vsc, List.of(), ready(true, true), Optional.of(new RoutingEngine.Outcome(
        new TableDecision.Blocked(Reason.VectorSettingsChanged, "dimensions 4 -> 8 on a populated cluster", List.of()),
        observation(2), Optional.of(live))), T0);

    assertThat(status.getPhase()).isEqualTo(Phase.Invalid);
    assertThat(status.getEpoch()).isEqualTo(3);
    assertConditions(status, "False", "False", "True");
    assertThat(condition(status, Conditions.READY).getMessage())
        .isEqualTo("dimensions 4 -> 8 on a populated cluster; still serving routing epoch 3 on 2 shards");
  }

  @Test
  void transitionTimesMoveOnlyWhenAConditionFlips() {
    VectorShardCluster vsc = cluster(2, 1, null);
    RoutingTable table = table(vsc, 1);
    Optional<RoutingEngine.Outcome> published = serving(table);
    VectorShardClusterStatus first = compute(vsc, List.of(), ready(true, true), published, T0);

    // Same observation later: the identical status, so the reconciler writes nothing.
    VectorShardClusterStatus again = compute(cluster(2, 1, first), List.of(), ready(true, true), published, T1);
    assertThat(again).isEqualTo(first);

    // A shard goes down: Ready and Degraded flip (new time); Progressing flips too.
    VectorShardClusterStatus down = compute(cluster(2, 1, first), List.of(), ready(true, false), Optional.empty(), T1);
    assertThat(down.getConditions()).allSatisfy(c -> assertThat(c.getLastTransitionTime()).isEqualTo(T1));

    // Back: each condition takes the time of this flip, not the first one.
    String t2 = "2026-11-21T10:10:00Z";
    VectorShardClusterStatus back = compute(cluster(2, 1, down), List.of(), ready(true, true), published, t2);
    assertThat(back.getConditions()).allSatisfy(c -> assertThat(c.getLastTransitionTime()).isEqualTo(t2));
    assertThat(back.getConditions()).extracting(Condition::getStatus)
        .containsExactlyElementsOf(first.getConditions().stream().map(Condition::getStatus).toList());
  }

  @Test
  void aStorageChangeTheShardsCannotTakeIsRefusedAndTheOldTableKeepsServing() {
    VectorShardCluster vsc = cluster(2, 2, null);
    RoutingTable live = table(vsc, 5);
    VectorShardClusterStatus status = new ClusterStatus(List.of(), List.of("rag-shard-0 has a 1Gi volume"), Optional.empty(),
        ready(true, true), endpoints(2), serving(live), Optional.empty()).compute(vsc, T0);

    assertThat(status.getPhase()).isEqualTo(Phase.Invalid);
    assertThat(status.getEpoch()).isEqualTo(5);
    assertConditions(status, "False", "False", "True");
    assertThat(condition(status, Conditions.READY).getReason()).isEqualTo("StorageChangeRefused");
    assertThat(condition(status, Conditions.READY).getMessage()).contains("nothing was changed: rag-shard-0 has a 1Gi volume");
  }

  @Test
  void aFailedReconcileReplacesReadyAndKeepsWhatWasLastKnown() {
    VectorShardCluster vsc = cluster(2, 1, null);
    RoutingTable table = table(vsc, 2);
    VectorShardClusterStatus healthy = compute(vsc, List.of(), ready(true, true), serving(table), T0);

    VectorShardClusterStatus failed = ClusterStatus.failed(cluster(3, 2, healthy), "services \"rag-shard-2\" is forbidden", T1);
    assertThat(failed.getPhase()).isEqualTo(Phase.Degraded);
    assertConditions(failed, "False", "False", "True");
    assertThat(failed.getConditions()).allSatisfy(c -> {
      assertThat(c.getReason()).isEqualTo("ReconcileFailed");
      assertThat(c.getMessage()).isEqualTo("reconcile failed, will retry: services \"rag-shard-2\" is forbidden");
      assertThat(c.getObservedGeneration()).isEqualTo(2);
    });
    // Progressing was False before as well: its transition time stays, the others flipped now.
    assertThat(condition(failed, Conditions.PROGRESSING).getLastTransitionTime()).isEqualTo(T0);
    assertThat(condition(failed, Conditions.READY).getLastTransitionTime()).isEqualTo(T1);
    // What the failed reconcile did not observe stays as last known: it never saw generation 2.
    assertThat(failed.getObservedGeneration()).isEqualTo(healthy.getObservedGeneration());
    assertThat(failed.getEpoch()).isEqualTo(2);
    assertThat(failed.getShards()).isEqualTo(healthy.getShards());

    // Failing again the same way is no news: the identical status, so nothing is written.
    assertThat(ClusterStatus.failed(cluster(3, 2, failed), "services \"rag-shard-2\" is forbidden", "2026-11-21T10:09:00Z"))
        .isEqualTo(failed);
  }

  @Test
  void memoryIsRoundedToWholeMebibytesSoIdleNoiseWritesNothing() {
    assertThat(ClusterStatus.roundToMiB(0)).isZero();
    assertThat(ClusterStatus.roundToMiB((1 << 20) - 1)).isEqualTo(1 << 20);
    assertThat(ClusterStatus.roundToMiB(3 * (1L << 20) + 1000)).isEqualTo(3 * (1L << 20));
    assertThat(ClusterStatus.roundToMiB(3 * (1L << 20) + (1 << 19))).isEqualTo(4 * (1L << 20));
  }
}
