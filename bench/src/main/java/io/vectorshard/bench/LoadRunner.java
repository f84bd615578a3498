package io.vectorshard.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop load generator: N threads, each with its own client, send requests back to back
 * for a warm-up period (not recorded) and then a measured period. A request counts if it started
 * inside the measured period; throughput is those requests over the time from the start of the
 * measured period to the end of the last of them.
 */
final class LoadRunner {
  /** One thread's client. {@code call(i)} sends query i of the pool and must throw on any failure. */
  interface Worker extends AutoCloseable {
    void call(int queryIndex) throws Exception;

    @Override
    default void close() throws Exception {}
  }

  interface WorkerFactory {
    Worker open() throws Exception;
  }

  private LoadRunner() {}

  static LatencyRecorder run(WorkerFactory factory, int threads, int queryPool, long warmupNanos, long measureNanos) {
    return run(factory, threads, queryPool, warmupNanos, measureNanos, null);
  }

  /** As above; with a meter, the CPU used during the measured period is attached to the result. */
  static LatencyRecorder run(WorkerFactory factory, int threads, int queryPool, long warmupNanos, long measureNanos,
      CpuMeter meter) {
    List<Worker> workers = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        workers.add(factory.open());
      }
    } catch (Exception e) {
      closeAll(workers);
      throw new IllegalStateException("could not open a client: " + e, e);
    }
    long start = System.nanoTime() + 20_000_000L;
    long measureFrom = start + warmupNanos;
    long measureUntil = measureFrom + measureNanos;
    LatencyRecorder[] recorders = new LatencyRecorder[threads];
    long[] lastEnd = new long[threads];
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      recorders[t] = new LatencyRecorder();
      Thread thread = Thread.ofPlatform().name("load-" + t).start(() -> {
        Worker worker = workers.get(id);
        int q = (int) ((long) id * queryPool / threads);
        lastEnd[id] = measureFrom;
        while (System.nanoTime() < start) {
          Thread.onSpinWait();
        }
        try {
          while (failure.get() == null) {
            long before = System.nanoTime();
            if (before >= measureUntil) {
              break;
            }
            worker.call(q);
            long after = System.nanoTime();
            if (before >= measureFrom) {
              recorders[id].record(after - before);
              lastEnd[id] = after;
            }
            q = q + 1 == queryPool ? 0 : q + 1;
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      running.add(thread);
    }
    CpuMeter.Usage usage = CpuMeter.Usage.NONE;
    if (meter != null && measureNanos > 0) {
      sleepUntil(measureFrom);
      CpuMeter.Sample first = meter.sample();
      sleepUntil(measureUntil);
      usage = CpuMeter.between(first, meter.sample());
    }
    for (Thread thread : running) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    closeAll(workers);
    if (failure.get() != null) {
      throw new IllegalStateException("a request failed during the load run: " + failure.get(), failure.get());
    }
    LatencyRecorder merged = new LatencyRecorder();
    long end = measureFrom;
    for (int t = 0; t < threads; t++) {
      merged.addSamples(recorders[t]);
      end = Math.max(end, lastEnd[t]);
    }
    merged.addWallNanos(end - measureFrom);
    merged.addCpu(usage);
    return merged;
  }

  private static void sleepUntil(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      try {
        Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void closeAll(List<Worker> workers) {
    for (Worker w : workers) {
      try {
        w.close();
      } catch (Exception ignored) {
        // closing a benchmark client: nothing to do about a failure
      }
    }
  }
}
