package io.vectorshard.operator.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.vectorshard.engine.Reason;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.api.VectorShardClusterStatus;
import io.vectorshard.core.redis.ShardClients;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.RoutingTableCodec;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.spec.SpecValidation;
import io.vectorshard.core.tenant.Names;
import io.vectorshard.engine.RoutingEngine;
import io.vectorshard.engine.TableDecision;
import io.vectorshard.operator.kubernetes.dependent.DisruptionBudgetDependent;
import io.vectorshard.operator.kubernetes.dependent.PasswordSecretDependent;
import io.vectorshard.operator.kubernetes.dependent.RouterSecretDependent;
import io.vectorshard.operator.kubernetes.dependent.RedisConfigDependent;
import io.vectorshard.operator.kubernetes.dependent.RoutingConfigMapDependent;
import io.vectorshard.operator.kubernetes.dependent.ShardPlan;
import io.vectorshard.operator.kubernetes.dependent.ShardServicesDependent;
import io.vectorshard.operator.kubernetes.dependent.ShardStatefulSetsDependent;
import io.vectorshard.operator.kubernetes.model.ClusterResources;
import io.vectorshard.operator.kubernetes.model.PasswordSecret;
import io.vectorshard.operator.kubernetes.model.RoutingConfigMap;
import io.vectorshard.operator.kubernetes.model.ShardStatefulSet;
import io.vectorshard.operator.kubernetes.model.StorageChange;
import io.vectorshard.operator.kubernetes.rebalance.RebalanceView;
import io.vectorshard.operator.kubernetes.rebalance.Rebalances;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reconciles a {@code VectorShardCluster}: validates the spec, syncs the routing table once every
 * shard is ready, then lets the dependents converge, and computes the status.
 *
 * <p>The workflow is invoked explicitly, after validation and planning, so an invalid spec touches
 * nothing running, and a shard being removed keeps its StatefulSet until the table without it is
 * published and it holds no data. A spec whose placement moves stored data is handed to
 * {@link Rebalances}, which shows the plan, waits for approval when asked to, and moves the data
 * in the background; while it does, reconciles only report its progress. A periodic reconcile
 * refreshes counts and repairs shards that restarted without their table.
 */
@Workflow(explicitInvocation = true, dependents = {
    @Dependent(name = "redis-config", type = RedisConfigDependent.class),
    @Dependent(name = "password", type = PasswordSecretDependent.class,
        reconcilePrecondition = PasswordSecretDependent.Generated.class),
    @Dependent(name = "router-password", type = RouterSecretDependent.class),
    @Dependent(name = "services", type = ShardServicesDependent.class),
    @Dependent(name = "statefulsets", type = ShardStatefulSetsDependent.class, dependsOn = {"redis-config", "services"}),
    @Dependent(name = "disruption-budget", type = DisruptionBudgetDependent.class),
    @Dependent(name = "routing", type = RoutingConfigMapDependent.class,
        reconcilePrecondition = RoutingConfigMapDependent.TablePublished.class),
})
@ControllerConfiguration(maxReconciliationInterval = @MaxReconciliationInterval(interval = 30, timeUnit = TimeUnit.SECONDS))
public class VectorShardClusterReconciler implements Reconciler<VectorShardCluster> {
  private static final Logger LOG = LoggerFactory.getLogger(VectorShardClusterReconciler.class);
  private static final Duration RECHECK = Duration.ofSeconds(5);
  private final ShardAddresses addresses;
  private final String clusterDomain;
  private final ClusterConnections connections;
  private final ClusterDeletions deletions;
  private final OperatorMetrics metrics;
  private final Rebalances rebalances;
  private final Clock clock;

  VectorShardClusterReconciler(ShardAddresses addresses, String clusterDomain, ClusterConnections connections,
      ClusterDeletions deletions, OperatorMetrics metrics, Rebalances rebalances, Clock clock) {
    this.addresses = addresses;
    this.clusterDomain = clusterDomain;
    this.connections = connections;
    this.deletions = deletions;
    this.metrics = metrics;
    this.rebalances = rebalances;
    this.clock = clock;
  }

  @Override
  public UpdateControl<VectorShardCluster> reconcile(VectorShardCluster vsc, Context<VectorShardCluster> context) {
    String name = vsc.getMetadata().getName();
    List<String> problems = problems(vsc);
    Map<Integer, Boolean> ready = new TreeMap<>();
    Map<Integer, ShardEndpoint> endpoints = new TreeMap<>();
    Optional<String> blocker = Optional.empty();
    Optional<RoutingEngine.Outcome> outcome = Optional.empty();
    Optional<RebalanceView> rebalance = Optional.empty();
    Map<Integer, StatefulSet> existing = problems.isEmpty() ? context.getSecondaryResourcesAsStream(StatefulSet.class)
        .filter(s -> ClusterResources.ordinalOf(name, s.getMetadata().getName()) >= 0)
        .collect(Collectors.toMap(s -> ClusterResources.ordinalOf(name, s.getMetadata().getName()), s -> s)) : Map.of();
    List<String> refused = storageChanges(vsc, existing);
    if (problems.isEmpty() && refused.isEmpty()) {
      int shards = vsc.getSpec().getShards();
      for (int i = 0; i < shards; i++) {
        ready.put(i, isReady(existing.get(i)));
        endpoints.put(i, addresses.endpoint(vsc, i));
      }
      List<Integer> retiring = existing.keySet().stream().filter(i -> i >= shards).sorted().toList();
      Optional<String> password = password(vsc, context);
      if (password.isEmpty() && vsc.getSpec().getRedis().getPasswordSecret() != null) {
        blocker = Optional.of("Secret " + vsc.getSpec().getRedis().getPasswordSecret()
            + " with key \"" + PasswordSecret.KEY + "\" not found in namespace " + vsc.getMetadata().getNamespace());
      }
      boolean allReady = ready.values().stream().allMatch(Boolean::booleanValue)
          && retiring.stream().allMatch(i -> isReady(existing.get(i)));
      // While moves run, the shards are the rebalance's: no sync, which could publish over its steps.
      rebalance = rebalances.running(vsc);
      if (allReady && password.isPresent() && rebalance.isEmpty()) {
        List<ShardEndpoint> retiringEndpoints = retiring.stream().map(i -> addresses.endpoint(vsc, i)).toList();
        ShardClients clients = connections.of(vsc, password.get());
        outcome = Optional.of(new RoutingEngine(clients).sync(name, vsc.getSpec(), List.copyOf(endpoints.values()),
            retiringEndpoints));
        clients.retainOnly(Stream.concat(endpoints.values().stream(), retiringEndpoints.stream()).toList());
        if (outcome.get().decision() instanceof TableDecision.Rebalance r) {
          rebalance = Optional.of(rebalances.decide(vsc, r, outcome.get().observed().liveTable().orElseThrow(), clients,
              context.getClient()));
        } else {
          rebalances.settled(vsc);
        }
      } else if (rebalance.isEmpty()) {
        rebalance = rebalances.known(vsc);
      }
      // A shard leaves only once a table without it is live: the planner then also found it empty.
      boolean removable = outcome.map(o -> o.decision() instanceof TableDecision.Publish
          || o.decision() instanceof TableDecision.Unchanged).orElse(false);
      Optional<RoutingTable> served = outcome.flatMap(RoutingEngine.Outcome::served).or(() -> publishedTable(vsc, context));
      new ShardPlan(removable ? Set.of() : Set.copyOf(retiring), served, clusterDomain).attachTo(context);
      context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
    }

    VectorShardClusterStatus before = vsc.getStatus();
    VectorShardClusterStatus after = new ClusterStatus(problems, refused, blocker, ready, endpoints, outcome, rebalance)
        .compute(vsc, clock.instant().toString());
    ClusterEvents events = new ClusterEvents(context.getClient());
    // Recorded whatever happens to the status write below: the table is live either way, and the
    // next reconcile finds it Unchanged, so a retry does not record it twice.
    outcome.map(RoutingEngine.Outcome::decision).ifPresent(d -> {
      if (d instanceof TableDecision.Publish p) {
        events.emit(vsc, "Normal", Reason.TablePublished.name(), "routing epoch " + p.table().epoch() + " published to "
            + p.table().shards().size() + " shards (" + p.why() + ")");
      }
    });
    metrics.reconciled(vsc, after, outcome.map(o -> o.observed().shards()).orElse(List.of()));
    forgetIfDeleted(vsc, context);
    if (!after.equals(before)) {
      // Written here rather than through UpdateControl.patchStatus so the result is cached: the next
      // reconcile (often triggered by a dependent's event a moment later) then starts from this
      // status, not the informer's older copy, and keeps the transition times it just wrote.
      PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(vsc, context, fresh -> {
        fresh.setStatus(after);
        return fresh;
      });
      // After the write, so a reconcile retried because the write failed does not record the same
      // transitions twice.
      events.conditionsChanged(vsc, before, after);
    }
    UpdateControl<VectorShardCluster> control = UpdateControl.noUpdate();
    // Waiting on something outside Kubernetes (moves under way, an approval annotation, a shard
    // answering again) that no informer reports: look again soon instead of at the periodic interval.
    if (rebalance.isPresent()) {
      Duration recheck = rebalance.get().recheck();
      return control.rescheduleAfter(recheck.compareTo(RECHECK) < 0 ? recheck : RECHECK);
    }
    return after.getPhase() == VectorShardClusterStatus.Phase.Provisioning
        || after.getPhase() == VectorShardClusterStatus.Phase.Degraded ? control.rescheduleAfter(RECHECK) : control;
  }

  /**
   * A reconcile that threw (the API server refused a change, a forbidden verb, a timeout): the
   * status says so, with the reason and the API server's message, and a Warning event is recorded
   * when that is news, so the last {@code Ready=True} never stays up while nothing is applied. JOSDK
   * then retries with backoff; a later successful reconcile writes the real state back.
   */
  @Override
  public ErrorStatusUpdateControl<VectorShardCluster> updateErrorStatus(VectorShardCluster vsc,
      Context<VectorShardCluster> context, Exception e) {
    metrics.failed(vsc);
    forgetIfDeleted(vsc, context);
    VectorShardClusterStatus before = vsc.getStatus();
    VectorShardClusterStatus after = ClusterStatus.failed(vsc, ReconcileFailure.describe(e), clock.instant().toString());
    if (!after.equals(before) && context.getPrimaryCache().get(ResourceID.fromResource(vsc)).isPresent()) {
      try {
        PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(vsc, context, fresh -> {
          fresh.setStatus(after);
          return fresh;
        });
        new ClusterEvents(context.getClient()).conditionsChanged(vsc, before, after);
      } catch (RuntimeException statusWriteFailed) {
        LOG.warn("{}/{}: reconcile failed ({}) and so did writing that into the status: {}",
            vsc.getMetadata().getNamespace(), vsc.getMetadata().getName(), ReconcileFailure.describe(e),
            statusWriteFailed.toString());
      }
    }
    return ErrorStatusUpdateControl.defaultErrorProcessing();
  }

  /** Storage changes the API server would refuse on the shards' existing StatefulSets. */
  private List<String> storageChanges(VectorShardCluster vsc, Map<Integer, StatefulSet> existing) {
    return existing.entrySet().stream().filter(e -> e.getKey() < vsc.getSpec().getShards())
        .sorted(Map.Entry.comparingByKey())
        .flatMap(e -> StorageChange.refused(e.getValue(), ShardStatefulSet.desired(vsc, e.getKey(), clusterDomain)).stream())
        .toList();
  }

  private void forgetIfDeleted(VectorShardCluster vsc, Context<VectorShardCluster> context) {
    ResourceID id = ResourceID.fromResource(vsc);
    if (context.getPrimaryCache().get(id).isEmpty()) {
      deletions.forget(id);
    }
  }

  /** Spec problems, plus the resource name, which becomes part of every object and DNS name. */
  static List<String> problems(VectorShardCluster vsc) {
    List<String> problems = new ArrayList<>();
    if (vsc.getMetadata().getName() == null || !Names.CLUSTER.matcher(vsc.getMetadata().getName()).matches()) {
      problems.add("metadata.name must be a DNS label of at most 42 characters (" + Names.CLUSTER.pattern() + ")");
    }
    problems.addAll(SpecValidation.problems(vsc.getSpec()));
    return problems;
  }

  private static boolean isReady(StatefulSet sts) {
    if (sts == null || sts.getStatus() == null || sts.getStatus().getReadyReplicas() == null) {
      return false;
    }
    return sts.getStatus().getReadyReplicas() >= sts.getSpec().getReplicas();
  }

  private static Optional<String> password(VectorShardCluster vsc, Context<VectorShardCluster> context) {
    Secret secret = context.getClient().secrets().inNamespace(vsc.getMetadata().getNamespace())
        .withName(ClusterResources.passwordSecret(vsc)).get();
    return PasswordSecret.read(secret);
  }

  /** The table in the routing ConfigMap, kept while shards are not all ready. */
  private static Optional<RoutingTable> publishedTable(VectorShardCluster vsc, Context<VectorShardCluster> context) {
    ConfigMap map = context.getClient().configMaps().inNamespace(vsc.getMetadata().getNamespace())
        .withName(ClusterResources.routing(vsc.getMetadata().getName())).get();
    if (map == null || map.getData() == null || map.getData().get(RoutingConfigMap.TABLE) == null) {
      return Optional.empty();
    }
    return Optional.of(RoutingTableCodec.fromJson(map.getData().get(RoutingConfigMap.TABLE)));
  }
}
