package io.vectorshard.core.routing;

import io.vectorshard.core.placement.Placement;
import java.util.List;
import java.util.Optional;

/**
 * A placement change in progress, carried in the routing table while it runs: every router routes
 * by both placements until the transition is dropped (contract 2). {@code from} is the placement
 * data lived by before; the table's own placement is the one it moves to.
 *
 * <p>A bucket whose shard differs between the two is moving. By default it moves atomically: its
 * source shard applies writes only while it still holds the key and answers "moved" once the key
 * has gone to the new shard. Buckets too large to move atomically stream instead, and are listed in
 * {@code streams} with their phase; each phase change is a new epoch, so routers holding an older
 * table are fenced.
 *
 * @param streams the streamed buckets, each with its phase; a bucket appears once
 */
public record Transition(Placement from, List<StreamedBucket> streams) {
  public Transition {
    // Sorted, so that equal transitions have equal JSON whatever order phases were set in.
    streams = (streams == null ? List.<StreamedBucket>of() : streams).stream()
        .sorted(java.util.Comparator.comparing(StreamedBucket::tenant).thenComparingInt(StreamedBucket::bucket)).toList();
    if (streams.stream().map(s -> s.tenant() + "/" + s.bucket()).distinct().count() != streams.size()) {
      throw new IllegalArgumentException("a bucket is listed twice among the transition's streams: " + streams);
    }
  }

  /** How routers treat a streamed bucket. */
  public enum Phase {
    /**
     * The copier is filling the new shard: the source stays authoritative for reads; writes go to
     * the source, then to the target (deletes leave tombstones there).
     */
    COPYING,
    /** Verification before the switch: writes to this bucket wait; reads stay on the source. */
    FENCED,
    /** The target serves reads and writes; the source copy is being removed. */
    SWITCHED
  }

  /** One streamed bucket and its phase. */
  public record StreamedBucket(String tenant, int bucket, Phase phase) {}

  public Optional<Phase> phaseOf(String tenant, int bucket) {
    for (StreamedBucket s : streams) {
      if (s.bucket() == bucket && s.tenant().equals(tenant)) {
        return Optional.of(s.phase());
      }
    }
    return Optional.empty();
  }

  /** This transition with one bucket's phase set (added when it was not streamed yet). */
  public Transition withPhase(String tenant, int bucket, Phase phase) {
    List<StreamedBucket> next = new java.util.ArrayList<>(streams.stream()
        .filter(s -> !(s.bucket() == bucket && s.tenant().equals(tenant))).toList());
    next.add(new StreamedBucket(tenant, bucket, phase));
    return new Transition(from, next);
  }
}
