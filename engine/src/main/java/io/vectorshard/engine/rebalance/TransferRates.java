package io.vectorshard.engine.rebalance;

import io.vectorshard.core.redis.ShardMoves;
import io.vectorshard.core.routing.VectorSettings;
import java.time.Duration;

/**
 * What moving data costs on these shards, measured, so the stall budget is compared with figures
 * from this machine and this data, not with constants: MIGRATE's source stall per byte, VADD's
 * time per element (the copier's writes), DEL's and VREM's time per element (removing a source).
 * Seeded by {@link #calibrate} with a throw-away probe set of the cluster's dimensions, then
 * refined by every real move (a running mean weighted by size, so large moves count most).
 */
public final class TransferRates {
  /** Elements of the calibration probe: enough to measure, small enough to cost a few hundred ms at most. */
  static final int PROBE_ELEMENTS = 400;
  static final String PROBE_KEY = "vsc:probe";

  private final Mean migrateNanosPerByte = new Mean();
  private final Mean vaddNanosPerElement = new Mean();
  private final Mean delNanosPerElement = new Mean();
  private final Mean vremNanosPerElement = new Mean();

  /**
   * Measures with a probe set written on {@code source}, migrated to {@code target} and deleted
   * there. The probe's writes block {@code source} for a few VADDs at a time, the MIGRATE and DEL
   * for well under a millisecond per probe element.
   */
  public static TransferRates calibrate(ShardMoves source, ShardMoves target, VectorSettings settings) {
    TransferRates rates = new TransferRates();
    target.deleteProbe(PROBE_KEY); // left behind by an engine killed mid-calibration, it would fail the MIGRATE
    Duration writes = source.writeProbe(PROBE_KEY, settings, PROBE_ELEMENTS, 42);
    rates.vaddNanosPerElement.add(writes.toNanos(), PROBE_ELEMENTS);
    long bytes = source.bytesOf(PROBE_KEY);
    long start = System.nanoTime();
    source.migrate(PROBE_KEY, target.endpoint(), Duration.ofSeconds(10));
    rates.migrateNanosPerByte.add(System.nanoTime() - start, bytes);
    rates.delNanosPerElement.add(target.deleteProbe(PROBE_KEY).toNanos(), PROBE_ELEMENTS);
    return rates;
  }

  public boolean calibrated() {
    return migrateNanosPerByte.known();
  }

  public Duration migrate(long bytes) {
    return migrateNanosPerByte.times(bytes);
  }

  public Duration vadd(long elements) {
    return vaddNanosPerElement.times(elements);
  }

  public Duration delete(long elements) {
    return delNanosPerElement.times(elements);
  }

  /** VREM's cost, or DEL's times ten until one VREM batch was measured (VREM relinks the graph). */
  public Duration vrem(long elements) {
    return vremNanosPerElement.known() ? vremNanosPerElement.times(elements) : delNanosPerElement.times(elements * 10);
  }

  public void recordMigrate(long bytes, Duration took) {
    migrateNanosPerByte.add(took.toNanos(), bytes);
  }

  public void recordVadd(long elements, Duration took) {
    vaddNanosPerElement.add(took.toNanos(), elements);
  }

  public void recordDelete(long elements, Duration took) {
    delNanosPerElement.add(took.toNanos(), elements);
  }

  public void recordVrem(long elements, Duration took) {
    vremNanosPerElement.add(took.toNanos(), elements);
  }

  /** VADDs per second, for reports. */
  public double vaddPerSecond() {
    return vaddNanosPerElement.known() ? 1e9 / vaddNanosPerElement.mean() : 0;
  }

  /** MIGRATE megabytes per second of source stall, for reports. */
  public double migrateMegabytesPerSecond() {
    return migrateNanosPerByte.known() ? 1e3 / migrateNanosPerByte.mean() : 0;
  }

  /** Nanoseconds per unit, totals over everything seen: large samples weigh most. */
  private static final class Mean {
    private double nanos;
    private double units;

    synchronized void add(double took, double count) {
      if (count > 0) {
        nanos += took;
        units += count;
      }
    }

    synchronized boolean known() {
      return units > 0;
    }

    synchronized double mean() {
      return nanos / units;
    }

    Duration times(long count) {
      return Duration.ofNanos((long) Math.ceil(mean() * count));
    }
  }
}
