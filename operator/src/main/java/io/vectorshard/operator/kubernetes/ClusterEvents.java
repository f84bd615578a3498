package io.vectorshard.operator.kubernetes;

import io.fabric8.kubernetes.api.model.Condition;
import io.vectorshard.engine.Reason;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.api.VectorShardClusterStatus;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on the resource, for {@code kubectl describe vsc}. Emitted when a condition
 * changes status or reason, and when a new table is published, never on every reconcile.
 */
public final class ClusterEvents {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterEvents.class);
  private static final String COMPONENT = "vectorshard-operator";
  /** Not ready for a reason that is part of normal work: starting shards, a plan to approve, moves running. */
  private static final Set<String> EXPECTED_NOT_READY = Set.of(Reason.ShardsNotReady.name(), Reason.RebalancePending.name(),
      Reason.RebalanceRunning.name());

  private final KubernetesClient client;

  public ClusterEvents(KubernetesClient client) {
    this.client = client;
  }

  /** Events for the conditions that changed between two statuses. */
  public void conditionsChanged(VectorShardCluster vsc, VectorShardClusterStatus before, VectorShardClusterStatus after) {
    List<Condition> previous = before == null ? List.of() : before.getConditions();
    for (Condition now : after.getConditions()) {
      Condition then = Conditions.find(previous, now.getType()).orElse(null);
      if (then != null && Objects.equals(then.getStatus(), now.getStatus()) && Objects.equals(then.getReason(), now.getReason())) {
        continue;
      }
      // Ready and Degraded carry the news (one event per change); Progressing only restates it.
      boolean isTrue = "True".equals(now.getStatus());
      switch (now.getType()) {
        case Conditions.READY -> emit(vsc, isTrue || EXPECTED_NOT_READY.contains(now.getReason()) ? "Normal" : "Warning",
            now.getReason(), now.getMessage());
        case Conditions.DEGRADED -> {
          if (isTrue) {
            emit(vsc, "Warning", now.getReason(), now.getMessage());
          }
        }
        default -> { }
      }
    }
  }

  public void emit(VectorShardCluster vsc, String type, String reason, String message) {
    String now = Instant.now().toString();
    Event event = new EventBuilder()
        .withNewMetadata()
          .withName(vsc.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
          .withNamespace(vsc.getMetadata().getNamespace())
        .endMetadata()
        .withNewInvolvedObject()
          .withApiVersion(vsc.getApiVersion()).withKind(vsc.getKind()).withName(vsc.getMetadata().getName())
          .withNamespace(vsc.getMetadata().getNamespace()).withUid(vsc.getMetadata().getUid())
        .endInvolvedObject()
        .withType(type).withReason(reason).withMessage(message)
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT)
        .build();
    try {
      client.v1().events().inNamespace(vsc.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      // Events are best effort: losing one must not fail the reconcile that produced it.
      LOG.warn("could not record event {} on {}/{}: {}", reason, vsc.getMetadata().getNamespace(),
          vsc.getMetadata().getName(), e.getMessage());
    }
  }
}
