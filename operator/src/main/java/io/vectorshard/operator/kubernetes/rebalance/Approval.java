package io.vectorshard.operator.kubernetes.rebalance;

import java.util.Map;
import java.util.Optional;

/**
 * A user's approval of a rebalance plan, read from the cluster's annotations:
 * {@code vectorshard.io/rebalance=approve}, optionally with {@code vectorshard.io/rebalance-plan=<planId>}
 * to approve that plan only (the plan in the status may have been refreshed since the user looked).
 *
 * @param planId the plan approved: the pinned one, else the one the status showed
 * @param problem why the annotations cannot be acted on, if so (a typo must not approve anything)
 */
public record Approval(boolean given, Optional<String> planId, Optional<String> problem) {
  public static final String ANNOTATION = "vectorshard.io/rebalance";
  public static final String PLAN_ANNOTATION = "vectorshard.io/rebalance-plan";
  public static final String APPROVE = "approve";

  static final Approval NONE = new Approval(false, Optional.empty(), Optional.empty());

  /**
   * @param shown the plan id in the status when the annotation was read
   */
  public static Approval read(Map<String, String> annotations, Optional<String> shown) {
    if (annotations == null || (!annotations.containsKey(ANNOTATION) && !annotations.containsKey(PLAN_ANNOTATION))) {
      return NONE;
    }
    String value = annotations.get(ANNOTATION);
    if (!APPROVE.equals(value)) {
      return new Approval(false, Optional.empty(), Optional.of("annotation " + ANNOTATION + "=" + (value == null ? "(unset)" : value)
          + " is not understood; the only value is \"" + APPROVE + "\""));
    }
    Optional<String> pinned = Optional.ofNullable(annotations.get(PLAN_ANNOTATION)).filter(s -> !s.isBlank());
    return new Approval(true, pinned.or(() -> shown), Optional.empty());
  }

  public boolean present() {
    return given || problem.isPresent();
  }
}
