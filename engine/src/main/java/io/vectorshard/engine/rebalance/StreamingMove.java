package io.vectorshard.engine.rebalance;

import io.vectorshard.core.redis.ShardMoves;
import io.vectorshard.core.redis.ShardMoves.Element;
import io.vectorshard.core.routing.Transition.Phase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Elements streamed from source keys to target keys, from whatever phase the live table says the
 * move is in (a resumed run starts where the last one stopped). A streamed bucket is one key to
 * one key on another shard; a re-bucketed tenant is the keys of its old count to those of its new
 * one, each element to the key its id hashes to ({@link Layout}).
 *
 * <ol>
 *   <li>{@code COPYING}: routers write both sides; the copier lists each source (one
 *       {@code VRANDMEMBER} of the whole set) and copies it in chunks of a few milliseconds each
 *       ({@link #WRITE_SLICE}), skipping what routers wrote or deleted meanwhile.</li>
 *   <li>Verification, writes still flowing: every dirty set is cleared, then every id on either
 *       side is compared (codes, norm, attributes) and differences repaired from the source.</li>
 *   <li>{@code FENCED}: writes to the move wait; only ids written since the verification began
 *       (the dirty sets) are compared and repaired, and the sizes must match. If they do not, the
 *       fence is lifted and verification runs again.</li>
 *   <li>{@code SWITCHED}: the targets serve. The fence lasted from the FENCED table to this one:
 *       that is the write pause reported. The sources are removed: one DEL when its measured cost
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

  /** One bucket key on one shard. */
  record Side(ShardMoves shard, String key) {}

  /**
   * Which keys a move reads and writes, and where each element belongs.
   *
   * @param sourcesMayVanish whether routers stop writing a source once its key is gone (a streamed
   *     bucket's source: an emptied source means the target holds everything); a re-bucketed
   *     tenant's old keys are written, created if need be, until its switch
   * @param siblings per side, the tenant's other keys on that side's shard: a source's removal
   *     forgets the tenant on its shard only when none of them is left
   */
  record Layout(List<Side> sources, List<Side> targets, java.util.function.Function<String, Side> sourceOf,
      java.util.function.Function<String, Side> targetOf, boolean sourcesMayVanish, Map<Side, List<String>> siblings) {

    /** One key to one key: a streamed bucket. */
    static Layout bucket(Side source, Side target, List<String> sourceSiblings) {
      return new Layout(List.of(source), List.of(target), id -> source, id -> target, true, Map.of(source, sourceSiblings));
    }
  }

  private final Rebalancer.Run run;
  private final PlannedMove planned;
  private final String what;
  private final String tenant;
  private final Layout layout;
  private final Consumer<Phase> publish;
  private final Optional<Phase> phase;
  private final int dims;

  /**
   * @param planned the plan's move this is (a re-bucketed tenant's first), for the reported write pause
   * @param what the move, for progress lines
   * @param publish publishes the live table with this move in a phase
   */
  StreamingMove(Rebalancer.Run run, PlannedMove planned, String what, String tenant, Layout layout, Consumer<Phase> publish,
      Optional<Phase> phase) {
    this.run = run;
    this.planned = planned;
    this.what = what;
    this.tenant = tenant;
    this.layout = layout;
    this.publish = publish;
    this.phase = phase;
    this.dims = run.live.vectors().dimensions();
  }

  void run() {
    Phase at = phase.orElse(null);
    if (at == null) {
      publish.accept(Phase.COPYING);
      at = Phase.COPYING;
    }
    if (at == Phase.COPYING) {
      copy();
    }
    if (at != Phase.SWITCHED) {
      switchOver(at == Phase.FENCED);
    }
    removeSources();
  }

  private void copy() {
    run.current(what + ": copying");
    long copied = 0;
    for (Side source : layout.sources()) {
      List<String> ids = source.shard().ids(source.key());
      for (int from = 0; from < ids.size(); from += READ_BATCH) {
        List<String> batch = ids.subList(from, Math.min(ids.size(), from + READ_BATCH));
        Map<Side, List<Element>> byTarget = new LinkedHashMap<>();
        source.shard().read(source.key(), batch, dims).values()
            .forEach(e -> byTarget.computeIfAbsent(layout.targetOf().apply(e.id()), t -> new ArrayList<>()).add(e));
        byTarget.forEach((target, elements) -> write(target, elements, false));
        copied += batch.size();
        run.streamed(copied);
      }
    }
  }

  /**
   * Writes elements on a target in chunks whose measured VADD time fits {@link #WRITE_SLICE}
   * (and a quarter of the stall budget, should that be smaller).
   */
  private void write(Side target, List<Element> elements, boolean force) {
    Duration quarter = run.stallBudget().dividedBy(4);
    Duration slice = quarter.compareTo(WRITE_SLICE) < 0 ? quarter : WRITE_SLICE;
    int chunk = 1;
    while (chunk < 512 && run.rates().vadd(chunk * 2L).compareTo(slice) <= 0) {
      chunk *= 2;
    }
    for (int from = 0; from < elements.size(); from += chunk) {
      List<Element> part = elements.subList(from, Math.min(elements.size(), from + chunk));
      long started = System.nanoTime();
      target.shard().copy(run.live.epoch(), tenant, run.live.vectors(), target.key(), part, force);
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
        run.current(what + ": verifying");
        verifyAll();
        fenceStart = System.nanoTime();
        publish.accept(Phase.FENCED);
      }
      if (verifyDirty()) {
        publish.accept(Phase.SWITCHED);
        run.paused(planned, Duration.ofNanos(System.nanoTime() - fenceStart));
        return;
      }
      // Something changed that the dirty sets did not record: lift the fence and verify again.
      publish.accept(Phase.COPYING);
      if (attempt >= MAX_VERIFICATIONS) {
        throw new IllegalStateException(what + ": source and target still differ after " + attempt
            + " verifications; the move stays in COPYING and is retried on the next run");
      }
    }
  }

  private List<Side> allSides() {
    List<Side> sides = new ArrayList<>(layout.sources());
    sides.addAll(layout.targets());
    return sides;
  }

  /** Compares every id of either side, repairing the targets from the sources; writes continue. */
  private void verifyAll() {
    allSides().forEach(s -> s.shard().clearDirty(s.key()));
    Set<String> ids = new LinkedHashSet<>();
    allSides().forEach(s -> ids.addAll(s.shard().ids(s.key())));
    repair(ids);
  }

  /** Under the fence: the ids written since {@link #verifyAll} began, then the sizes. */
  private boolean verifyDirty() {
    if (layout.sourcesMayVanish() && layout.sources().stream().noneMatch(s -> s.shard().exists(s.key()))) {
      return true; // the source was emptied (deletes, a drop): what routers wrote to the target is all there is
    }
    Set<String> dirty = new LinkedHashSet<>();
    allSides().forEach(s -> dirty.addAll(s.shard().dirtyIds(s.key())));
    dirty.remove("*");
    repair(dirty);
    return cardinality(layout.sources()) == cardinality(layout.targets());
  }

  private static long cardinality(List<Side> sides) {
    return sides.stream().mapToLong(s -> s.shard().cardinality(s.key())).sum();
  }

  /** Makes the targets' copy of these ids what the sources hold, in batches per source and target. */
  private void repair(Set<String> ids) {
    Map<List<Side>, List<String>> byPair = new LinkedHashMap<>();
    for (String id : ids) {
      byPair.computeIfAbsent(List.of(layout.sourceOf().apply(id), layout.targetOf().apply(id)), p -> new ArrayList<>()).add(id);
    }
    byPair.forEach((pair, list) -> {
      for (int from = 0; from < list.size(); from += READ_BATCH) {
        repair(pair.get(0), pair.get(1), list.subList(from, Math.min(list.size(), from + READ_BATCH)));
      }
    });
  }

  private void repair(Side source, Side target, List<String> ids) {
    Map<String, Element> a = source.shard().read(source.key(), ids, dims);
    Map<String, Element> b = target.shard().read(target.key(), ids, dims);
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
    write(target, stale, true);
    if (!extra.isEmpty()) {
      target.shard().removeElements(target.key(), extra);
    }
  }

  private void removeSources() {
    run.current(what + ": removing the source copy");
    for (Side source : layout.sources()) {
      remove(source);
    }
    layout.targets().forEach(t -> t.shard().clearStreamState(t.key()));
  }

  private void remove(Side side) {
    ShardMoves source = side.shard();
    String key = side.key();
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
    source.deleteKey(tenant, key, layout.siblings().getOrDefault(side, List.of()));
    if (left > 0) {
      run.rates().recordDelete(left, Duration.ofNanos(System.nanoTime() - started));
    }
  }
}
