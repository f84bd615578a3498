package io.vectorshard.engine.rebalance;

import io.vectorshard.core.redis.ShardMoves;
import io.vectorshard.core.redis.ShardMoves.Element;
import io.vectorshard.core.routing.Transition.Phase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One bucket streamed from its source to its target, from whatever phase the live table says it
 * is in (a resumed run starts where the last one stopped):
 *
 * <ol>
 *   <li>{@code COPYING}: routers write both shards; the copier lists the source (one
 *       {@code VRANDMEMBER} of the whole set) and copies it in chunks of a few milliseconds each
 *       ({@link #WRITE_SLICE}), skipping what routers wrote or deleted meanwhile.</li>
 *   <li>Verification, writes still flowing: both dirty sets are cleared, then every id on either
 *       side is compared (codes, norm, attributes) and differences repaired from the source.</li>
 *   <li>{@code FENCED}: writes to the bucket wait; only ids written since the verification began
 *       (the dirty sets) are compared and repaired, and the sizes must match. If they do not, the
 *       fence is lifted and verification runs again.</li>
 *   <li>{@code SWITCHED}: the target serves. The fence lasted from the FENCED table to this one:
 *       that is the write pause reported. The source is removed: one DEL when its measured cost
 *       fits the budget, else VREM batches that each do.</li>
 * </ol>
 */
final class StreamingMove {
  /** Ids read per pipelined round trip from a shard: reads never block it (VEMB and VGETATTR are O(1)). */
  private static final int READ_BATCH = 256;
  /**
   * The longest one copier write may take on the target, whatever the stall budget allows. A router
   * write to that shard (a dual write of the moving tenant, or any other tenant's) that arrives
   * while a copier call runs waits for it to finish, so this bounds what moves add to write
   * latency; a few VADDs per call still keep the round trip's share of the copier's time small.
   */
  static final Duration WRITE_SLICE = Duration.ofMillis(5);
  private static final int MAX_VERIFICATIONS = 3;

  private final Rebalancer.Run run;
  private final PlannedMove planned;
  private final String key;
  private final ShardMoves source;
  private final ShardMoves target;
  private final List<String> siblings;
  private final Optional<Phase> phase;
  private final String tenant;
  private final int dims;

  StreamingMove(Rebalancer.Run run, PlannedMove planned, String key, ShardMoves source, ShardMoves target,
      List<String> siblings, Optional<Phase> phase) {
    this.run = run;
    this.planned = planned;
    this.key = key;
    this.source = source;
    this.target = target;
    this.siblings = siblings;
    this.phase = phase;
    this.tenant = planned.move().tenant();
    this.dims = run.live.vectors().dimensions();
  }

  void run() {
    Phase at = phase.orElse(null);
    if (at == null) {
      run.phase(tenant, planned.move().bucket(), Phase.COPYING);
      at = Phase.COPYING;
    }
    if (at == Phase.COPYING) {
      copy();
    }
    if (at != Phase.SWITCHED) {
      switchOver(at == Phase.FENCED);
    }
    removeSource();
  }

  private void copy() {
    run.current("streaming " + planned.move() + ": copying");
    long[] copied = {0};
    inBatches(source.ids(key), batch -> {
      write(List.copyOf(source.read(key, batch, dims).values()), false);
      copied[0] += batch.size();
      run.streamed(copied[0]);
    });
  }

  /** Runs {@code step} on consecutive batches of {@link #READ_BATCH} ids. */
  private static void inBatches(List<String> ids, java.util.function.Consumer<List<String>> step) {
    for (int from = 0; from < ids.size(); from += READ_BATCH) {
      step.accept(ids.subList(from, Math.min(ids.size(), from + READ_BATCH)));
    }
  }

  /**
   * Writes elements on the target in chunks whose measured VADD time fits {@link #WRITE_SLICE}
   * (and a quarter of the stall budget, should that be smaller).
   */
  private void write(List<Element> elements, boolean force) {
    Duration quarter = run.stallBudget().dividedBy(4);
    Duration slice = quarter.compareTo(WRITE_SLICE) < 0 ? quarter : WRITE_SLICE;
    int chunk = 1;
    while (chunk < 512 && run.rates().vadd(chunk * 2L).compareTo(slice) <= 0) {
      chunk *= 2;
    }
    for (int from = 0; from < elements.size(); from += chunk) {
      List<Element> part = elements.subList(from, Math.min(elements.size(), from + chunk));
      long started = System.nanoTime();
      target.copy(run.live.epoch(), tenant, run.live.vectors(), key, part, force);
      run.rates().recordVadd(part.size(), Duration.ofNanos(System.nanoTime() - started));
    }
  }

  private void switchOver(boolean fencedAlready) {
    for (int attempt = 1; ; attempt++) {
      long fenceStart;
      if (fencedAlready) {
        fenceStart = System.nanoTime(); // the fence began before a restart: its start is not known here
        fencedAlready = false;
      } else {
        run.current("streaming " + planned.move() + ": verifying");
        verifyAll();
        fenceStart = System.nanoTime();
        run.phase(tenant, planned.move().bucket(), Phase.FENCED);
      }
      if (verifyDirty()) {
        run.phase(tenant, planned.move().bucket(), Phase.SWITCHED);
        run.paused(planned, Duration.ofNanos(System.nanoTime() - fenceStart));
        return;
      }
      // Something changed that the dirty sets did not record: lift the fence and verify again.
      run.phase(tenant, planned.move().bucket(), Phase.COPYING);
      if (attempt >= MAX_VERIFICATIONS) {
        throw new IllegalStateException("streaming " + planned.move() + ": source and target still differ after "
            + attempt + " verifications; the move stays in COPYING and is retried on the next run");
      }
    }
  }

  /** Compares every id of either side, repairing the target from the source; writes continue. */
  private void verifyAll() {
    source.clearDirty(key);
    target.clearDirty(key);
    Set<String> ids = new LinkedHashSet<>(source.ids(key));
    ids.addAll(target.ids(key));
    inBatches(List.copyOf(ids), this::repair);
  }

  /** Under the fence: the ids written since {@link #verifyAll} began, then the sizes. */
  private boolean verifyDirty() {
    if (!source.exists(key)) {
      return true; // the source was emptied (deletes, a drop): what routers wrote to the target is all there is
    }
    Set<String> dirty = new LinkedHashSet<>(source.dirtyIds(key));
    dirty.addAll(target.dirtyIds(key));
    dirty.remove("*");
    inBatches(List.copyOf(dirty), this::repair);
    return source.cardinality(key) == target.cardinality(key);
  }

  /** Makes the target's copy of these ids what the source holds. */
  private void repair(List<String> ids) {
    Map<String, Element> a = source.read(key, ids, dims);
    Map<String, Element> b = target.read(key, ids, dims);
    List<Element> stale = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    for (String id : ids) {
      Element mine = a.get(id);
      Element theirs = b.get(id);
      if (mine != null && (theirs == null || !theirs.sameAs(mine))) {
        stale.add(mine);
      } else if (mine == null && theirs != null) {
        extra.add(id);
      }
    }
    write(stale, true);
    if (!extra.isEmpty()) {
      target.removeElements(key, extra);
    }
  }

  private void removeSource() {
    run.current("streaming " + planned.move() + ": removing the source copy");
    long size = source.cardinality(key);
    if (size > 0 && run.rates().delete(size).compareTo(run.stallBudget()) > 0) {
      List<String> ids = source.ids(key);
      Duration slice = run.stallBudget().dividedBy(2);
      int batch = 16;
      for (int from = 0; from < ids.size(); ) {
        List<String> part = ids.subList(from, Math.min(ids.size(), from + batch));
        long started = System.nanoTime();
        source.removeElements(key, part);
        run.rates().recordVrem(part.size(), Duration.ofNanos(System.nanoTime() - started));
        from += part.size();
        while (batch < 4096 && run.rates().vrem(batch * 2L).compareTo(slice) <= 0) {
          batch *= 2;
        }
        if (run.rates().delete(ids.size() - from).compareTo(run.stallBudget()) <= 0) {
          break; // what is left fits one DEL
        }
      }
    }
    long started = System.nanoTime();
    long left = source.cardinality(key);
    source.deleteKey(tenant, key, siblings);
    if (left > 0) {
      run.rates().recordDelete(left, Duration.ofNanos(System.nanoTime() - started));
    }
    target.clearStreamState(key);
  }
}
