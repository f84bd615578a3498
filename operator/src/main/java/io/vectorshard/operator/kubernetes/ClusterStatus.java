package io.vectorshard.operator.kubernetes;

import io.vectorshard.api.ShardStatus;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.api.VectorShardClusterStatus;
import io.vectorshard.api.VectorShardClusterStatus.Phase;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.engine.Reason;
import io.vectorshard.engine.RoutingEngine;
import io.vectorshard.engine.ShardObservation;
import io.vectorshard.engine.TableDecision;
import io.vectorshard.operator.kubernetes.Conditions.Observed;
import io.vectorshard.operator.kubernetes.rebalance.RebalanceView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Computes the status from what one reconcile observed; pure, so every combination is unit-tested.
 *
 * @param problems why the spec is invalid (empty when it is valid)
 * @param refused changes of a valid spec that Kubernetes would refuse to apply to existing shards
 * @param blocker why Redis could not be synced although the spec is valid (a missing Secret), if so
 * @param ready per spec shard ordinal, whether its StatefulSet's pods are all ready
 * @param endpoints per spec shard ordinal, the endpoint routers use
 * @param outcome the engine's sync, when every shard was ready and no rebalance was running
 * @param rebalance the rebalance waiting, running or retrying, when there is one: its conditions
 *     are the cluster's when every shard is ready
 */
public record ClusterStatus(List<String> problems, List<String> refused, Optional<String> blocker, Map<Integer, Boolean> ready,
    Map<Integer, ShardEndpoint> endpoints, Optional<RoutingEngine.Outcome> outcome, Optional<RebalanceView> rebalance) {
  private static final long MIB = 1 << 20;

  public VectorShardClusterStatus compute(VectorShardCluster vsc, String now) {
    VectorShardClusterStatus previous = vsc.getStatus() == null ? new VectorShardClusterStatus() : vsc.getStatus();
    long generation = vsc.getMetadata().getGeneration() == null ? 0 : vsc.getMetadata().getGeneration();
    VectorShardClusterStatus status = new VectorShardClusterStatus();
    status.setObservedGeneration(generation);
    status.setSelector(vsc.getMetadata().getName() == null ? null
        : "vectorshard.io/cluster=" + vsc.getMetadata().getName() + ",app.kubernetes.io/component=shard");
    int readyCount = (int) ready.values().stream().filter(Boolean::booleanValue).count();
    status.setReadyShards(readyCount);
    Optional<RoutingTable> served = outcome.flatMap(RoutingEngine.Outcome::served);
    status.setEpoch(served.map(RoutingTable::epoch).orElse(previous.getEpoch()));
    status.setShards(shards(previous));
    status.setRebalance(rebalance.map(RebalanceView::status).orElse(null));

    List<Observed> conditions = new ArrayList<>();
    Phase phase;
    boolean published = status.getEpoch() != null;
    if (!problems.isEmpty()) {
      String message = "invalid spec, nothing was changed: " + String.join("; ", problems);
      phase = Phase.Invalid;
      conditions.add(new Observed(Conditions.READY, false, Reason.InvalidSpec, message));
      conditions.add(new Observed(Conditions.PROGRESSING, false, Reason.InvalidSpec, "waiting for a valid spec"));
      conditions.add(new Observed(Conditions.DEGRADED, true, Reason.InvalidSpec, message));
    } else if (!refused.isEmpty()) {
      String message = "spec.redis.storage cannot change on existing shards (Kubernetes refuses to update a"
          + " StatefulSet's volume claim templates); nothing was changed: " + String.join("; ", refused)
          + ". Set it back, or create a new cluster with the new storage and move the data.";
      phase = Phase.Invalid;
      conditions.add(new Observed(Conditions.READY, false, Reason.StorageChangeRefused, message));
      conditions.add(new Observed(Conditions.PROGRESSING, false, Reason.StorageChangeRefused, "waiting for a spec the shards can take"));
      conditions.add(new Observed(Conditions.DEGRADED, true, Reason.StorageChangeRefused, message));
    } else if (blocker.isPresent()) {
      phase = Phase.Degraded;
      conditions.add(new Observed(Conditions.READY, false, Reason.PasswordUnavailable, blocker.get()));
      conditions.add(new Observed(Conditions.PROGRESSING, false, Reason.PasswordUnavailable, blocker.get()));
      conditions.add(new Observed(Conditions.DEGRADED, true, Reason.PasswordUnavailable, blocker.get()));
    } else if (readyCount < ready.size()) {
      String message = readyCount + " of " + ready.size() + " shards ready";
      phase = published ? Phase.Degraded : Phase.Provisioning;
      conditions.add(new Observed(Conditions.READY, false, Reason.ShardsNotReady, message));
      conditions.add(new Observed(Conditions.PROGRESSING, true, Reason.ShardsStarting, message));
      conditions.add(new Observed(Conditions.DEGRADED, published, published ? Reason.ShardsNotReady : Reason.AsExpected,
          published ? message : "no routing table published yet"));
    } else if (rebalance.isPresent()) {
      phase = rebalance.get().phase();
      conditions.addAll(rebalance.get().conditions());
    } else {
      TableDecision decision = outcome.orElseThrow().decision();
      String serving = served.map(t -> "routing epoch " + t.epoch() + " on " + t.shards().size() + " shards").orElse("no routing table");
      switch (decision) {
        case TableDecision.Rebalance r -> throw new IllegalStateException("a rebalance decision comes with its view: " + r.describe());
        case TableDecision.Blocked b when b.reason() == Reason.RebalanceRequired -> {
          phase = Phase.Provisioning;
          conditions.add(new Observed(Conditions.READY, false, b.reason(), b.message()));
          conditions.add(new Observed(Conditions.PROGRESSING, true, b.reason(), b.message()));
          conditions.add(new Observed(Conditions.DEGRADED, false, Reason.AsExpected, "serving " + serving));
        }
        case TableDecision.Blocked b when b.reason() == Reason.ShardUnreachable -> {
          phase = published ? Phase.Degraded : Phase.Provisioning;
          conditions.add(new Observed(Conditions.READY, false, b.reason(), b.message()));
          conditions.add(new Observed(Conditions.PROGRESSING, false, b.reason(), b.message()));
          conditions.add(new Observed(Conditions.DEGRADED, true, b.reason(), b.message()));
        }
        case TableDecision.Blocked b -> {
          phase = Phase.Invalid;
          String message = b.message() + "; still serving " + serving;
          conditions.add(new Observed(Conditions.READY, false, b.reason(), message));
          conditions.add(new Observed(Conditions.PROGRESSING, false, b.reason(), message));
          conditions.add(new Observed(Conditions.DEGRADED, true, b.reason(), message));
        }
        default -> {
          phase = Phase.Ready;
          conditions.add(new Observed(Conditions.READY, true, Reason.TablePublished, serving));
          conditions.add(new Observed(Conditions.PROGRESSING, false, Reason.Reconciled, "the shards match the spec"));
          conditions.add(new Observed(Conditions.DEGRADED, false, Reason.AsExpected, "all shards ready"));
        }
      }
    }
    status.setPhase(phase);
    status.setConditions(Conditions.merge(previous.getConditions(), conditions, generation, now));
    return status;
  }

  /**
   * The status after a reconcile that failed with an error: what was last known (epoch, shards),
   * with conditions that say it failed and why, so no stale {@code Ready=True} remains.
   */
  public static VectorShardClusterStatus failed(VectorShardCluster vsc, String why, String now) {
    VectorShardClusterStatus previous = vsc.getStatus() == null ? new VectorShardClusterStatus() : vsc.getStatus();
    long generation = vsc.getMetadata().getGeneration() == null ? 0 : vsc.getMetadata().getGeneration();
    String message = "reconcile failed, will retry: " + why;
    VectorShardClusterStatus status = new VectorShardClusterStatus();
    status.setObservedGeneration(previous.getObservedGeneration());
    status.setSelector(previous.getSelector());
    status.setReadyShards(previous.getReadyShards());
    status.setEpoch(previous.getEpoch());
    status.setShards(previous.getShards());
    status.setRebalance(previous.getRebalance()); // an attempt running in the background goes on
    status.setPhase(Phase.Degraded);
    status.setConditions(Conditions.merge(previous.getConditions(), List.of(
        new Observed(Conditions.READY, false, Reason.ReconcileFailed, message),
        new Observed(Conditions.PROGRESSING, false, Reason.ReconcileFailed, message),
        new Observed(Conditions.DEGRADED, true, Reason.ReconcileFailed, message)), generation, now));
    return status;
  }

  /** Per spec shard; counts from this reconcile's observation, else the last known ones. */
  private List<ShardStatus> shards(VectorShardClusterStatus previous) {
    List<ShardStatus> shards = new ArrayList<>();
    for (Map.Entry<Integer, ShardEndpoint> e : new TreeMap<>(endpoints).entrySet()) {
      ShardEndpoint endpoint = e.getValue();
      Optional<ShardObservation> seen = outcome.flatMap(o -> o.observed().shards().stream()
          .filter(s -> s.endpoint().ordinal() == e.getKey() && s.reachable()).findFirst());
      Optional<ShardStatus> before = previous.getShards() == null ? Optional.empty()
          : previous.getShards().stream().filter(s -> endpoint.id().equals(s.getId())).findFirst();
      shards.add(new ShardStatus(endpoint.id(), ready.getOrDefault(e.getKey(), false), endpoint.address(),
          seen.map(ShardObservation::vectors).or(() -> before.map(ShardStatus::getVectors)).orElse(null),
          seen.map(s -> roundToMiB(s.usedMemoryBytes())).or(() -> before.map(ShardStatus::getMemoryBytes)).orElse(null),
          seen.map(ShardObservation::tenants).or(() -> before.map(ShardStatus::getTenants)).orElse(null)));
    }
    return shards;
  }

  static long roundToMiB(long bytes) {
    return Math.round(bytes / (double) MIB) * MIB;
  }
}
