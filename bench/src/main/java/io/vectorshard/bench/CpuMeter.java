package io.vectorshard.bench;

import io.vectorshard.core.routing.ShardEndpoint;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Jedis;

/**
 * Where CPU time goes during a measured window: this JVM (load generator plus in-process router),
 * the benchmark's Redis shards (INFO cpu, all threads), and everything else on the machine (other
 * processes and hypervisor steal, from /proc/stat). Also the JIT compile time in the window, to show
 * whether the JVM was still warming up.
 */
final class CpuMeter implements AutoCloseable {
  /** A point-in-time reading; all CPU figures in nanoseconds. */
  record Sample(long wall, long jvm, long redis, long machine, long jitMillis) {}

  /** The difference of two samples. */
  record Usage(double wallSeconds, double jvmSeconds, double redisSeconds, double machineSeconds, long jitMillis) {
    static final Usage NONE = new Usage(0, 0, 0, 0, 0);

    Usage plus(Usage o) {
      return new Usage(wallSeconds + o.wallSeconds, jvmSeconds + o.jvmSeconds, redisSeconds + o.redisSeconds,
          machineSeconds + o.machineSeconds, jitMillis + o.jitMillis);
    }

    /** CPU seconds used by neither this JVM nor the benchmark's Redis processes, per wall second. */
    double otherCores() {
      return wallSeconds == 0 ? 0 : Math.max(0, machineSeconds - jvmSeconds - redisSeconds) / wallSeconds;
    }
  }

  private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ = 100 on Linux

  private final List<Jedis> shards = new ArrayList<>();
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();

  CpuMeter(List<ShardEndpoint> endpoints) {
    endpoints.forEach(e -> shards.add(DirectShard.open(e)));
  }

  synchronized Sample sample() {
    long redis = 0;
    for (Jedis jedis : shards) {
      double seconds = 0;
      for (String line : jedis.info("cpu").split("\r?\n")) {
        if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
          seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      redis += (long) (seconds * 1e9);
    }
    return new Sample(System.nanoTime(), os.getProcessCpuTime(), redis, machineBusy(),
        jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0);
  }

  static Usage between(Sample a, Sample b) {
    return new Usage((b.wall - a.wall) / 1e9, (b.jvm - a.jvm) / 1e9, (b.redis - a.redis) / 1e9,
        (b.machine - a.machine) / 1e9, b.jitMillis - a.jitMillis);
  }

  /** Busy CPU time of the whole machine: user + nice + system + irq + softirq + steal. */
  private static long machineBusy() {
    try {
      String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = cpu.trim().split("\\s+");
      long ticks = 0;
      for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
        ticks += i < f.length ? Long.parseLong(f[i]) : 0;
      }
      return ticks * NANOS_PER_TICK;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  @Override
  public void close() {
    shards.forEach(Jedis::close);
  }
}
