package io.vectorshard.operator.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns the exception of a failed reconcile into the one line a condition and an event show: the
 * API server's own message where there is one ("StatefulSet.apps \"x\" is invalid: spec: Forbidden:
 * ..."), the messages of every failed dependent when the workflow failed on several, bounded in length.
 */
final class ReconcileFailure {
  static final int MAX_MESSAGE = 1024;

  private ReconcileFailure() {}

  static String describe(Exception e) {
    Set<String> messages = new LinkedHashSet<>();
    collect(e, messages);
    String message = String.join("; ", messages);
    return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 3) + "...";
  }

  private static void collect(Throwable e, Set<String> messages) {
    if (e instanceof AggregatedOperatorException aggregated && !aggregated.getAggregatedExceptions().isEmpty()) {
      aggregated.getAggregatedExceptions().values().forEach(cause -> collect(cause, messages));
      return;
    }
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
      chain.add(t);
    }
    for (Throwable t : chain) {
      if (t instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
        messages.add(k.getStatus().getMessage() + " (HTTP " + k.getCode() + ")");
        return;
      }
    }
    Throwable root = chain.get(chain.size() - 1);
    messages.add(root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
  }
}
