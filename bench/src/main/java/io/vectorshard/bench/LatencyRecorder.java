package io.vectorshard.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Latencies of one measured path (nanoseconds, 3 significant digits) plus the operation count and
 * the wall time they took, so a cell yields both percentiles and throughput. Not thread-safe: each
 * load thread records into its own recorder and they are merged afterwards.
 */
final class LatencyRecorder {
  private static final long HIGHEST = TimeUnit.SECONDS.toNanos(60);

  private final Histogram histogram = new Histogram(1_000, HIGHEST, 3);
  private long wallNanos;
  private CpuMeter.Usage cpu = CpuMeter.Usage.NONE;

  void record(long nanos) {
    histogram.recordValue(Math.max(1_000, Math.min(HIGHEST, nanos)));
  }

  /** Adds another recorder's samples; the wall times add up (the cells ran one after another). */
  void add(LatencyRecorder other) {
    histogram.add(other.histogram);
    wallNanos += other.wallNanos;
    cpu = cpu.plus(other.cpu);
  }

  void addCpu(CpuMeter.Usage usage) {
    cpu = cpu.plus(usage);
  }

  CpuMeter.Usage cpu() {
    return cpu;
  }

  /** CPU milliseconds of this JVM (load generator + router) per recorded operation. */
  double jvmCpuPerOp() {
    return count() == 0 ? 0 : cpu.jvmSeconds() * 1e3 / count();
  }

  /** CPU milliseconds of the benchmark's Redis shards per recorded operation. */
  double redisCpuPerOp() {
    return count() == 0 ? 0 : cpu.redisSeconds() * 1e3 / count();
  }

  void addSamples(LatencyRecorder other) {
    histogram.add(other.histogram);
  }

  void addWallNanos(long nanos) {
    wallNanos += nanos;
  }

  long count() {
    return histogram.getTotalCount();
  }

  double percentileMillis(double percentile) {
    return histogram.getValueAtPercentile(percentile) / 1e6;
  }

  double p50() {
    return percentileMillis(50);
  }

  double p90() {
    return percentileMillis(90);
  }

  double p99() {
    return percentileMillis(99);
  }

  double p999() {
    return percentileMillis(99.9);
  }

  double meanMillis() {
    return histogram.getMean() / 1e6;
  }

  double maxMillis() {
    return histogram.getMaxValue() / 1e6;
  }

  /** Operations per second over the measured wall time (0 when no wall time was recorded). */
  double throughput() {
    return wallNanos == 0 ? 0 : count() / (wallNanos / 1e9);
  }
}
