package io.vectorshard.operator.kubernetes;

import io.fabric8.kubernetes.api.model.Condition;
import io.vectorshard.engine.Reason;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The standard conditions of a {@code VectorShardCluster}. A condition keeps its
 * {@code lastTransitionTime} unless its status changes, as Kubernetes API conventions ask.
 */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";

  private Conditions() {}

  /** One condition as the reconciler sees it now. */
  public record Observed(String type, boolean status, Reason reason, String message) {}

  /** The new condition list: the observed conditions, with transition times carried over from {@code previous}. */
  public static List<Condition> merge(List<Condition> previous, List<Observed> observed, long generation, String now) {
    List<Condition> merged = new ArrayList<>();
    for (Observed o : observed) {
      String status = o.status() ? "True" : "False";
      String since = find(previous, o.type()).filter(c -> status.equals(c.getStatus()))
          .map(Condition::getLastTransitionTime).orElse(now);
      merged.add(new ConditionBuilder().withType(o.type()).withStatus(status).withReason(o.reason().name())
          .withMessage(o.message()).withObservedGeneration(generation).withLastTransitionTime(since).build());
    }
    return merged;
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}
