package io.vectorshard.engine.rebalance;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * Which buckets move where, how, and what that costs, for a transition from {@code fromShards} to
 * {@code toShards} shards. Built from what the shards hold, so two plans of the same cluster state
 * are equal; an approval names a plan, and a cluster that changed since gets a fresh one.
 */
public record RebalancePlan(int fromShards, int toShards, List<PlannedMove> moves, long stallBudgetMillis) {
  public RebalancePlan {
    moves = List.copyOf(moves);
  }

  /**
   * Names the plan by what it does: which buckets move from where to where, and how. Sizes and
   * estimates are left out, since live writes change them by the second; a bucket that grew past
   * the stall budget changes its method, and so the id.
   */
  public String id() {
    StringBuilder text = new StringBuilder().append(fromShards).append("->").append(toShards);
    moves.stream().sorted(Comparator.comparing((PlannedMove p) -> p.move().tenant()).thenComparingInt(p -> p.move().buckets())
            .thenComparingInt(p -> p.move().bucket()))
        .forEach(p -> text.append('|').append(p.move().key()).append(':')
            .append(p.move().from()).append('>').append(p.move().to()).append(':').append(p.method()));
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  public long vectors() {
    return moves.stream().mapToLong(m -> m.move().vectors()).sum();
  }

  public long bytes() {
    return moves.stream().mapToLong(PlannedMove::bytes).sum();
  }

  public long estimatedMillis() {
    return moves.stream().mapToLong(PlannedMove::estimatedMillis).sum();
  }

  public long count(MoveMethod method) {
    return moves.stream().filter(m -> m.method() == method).count();
  }

  public String summary() {
    return moves.size() + " bucket(s), " + vectors() + " vectors, " + bytes() + " bytes (" + count(MoveMethod.ATOMIC)
        + " atomic, " + count(MoveMethod.STREAM) + " streamed"
        + (count(MoveMethod.REBUCKET) > 0 ? ", " + count(MoveMethod.REBUCKET) + " re-bucketed" : "") + "), about " + (estimatedMillis() + 999) / 1000 + " s";
  }
}
