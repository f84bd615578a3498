package io.vectorshard.core.routing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JVM command line and process environment of a router, which every application pod runs as a
 * sidecar, so its footprint is paid once per pod; sized by the sidecar benchmark (docs/benchmarks.md,
 * "Sidecar footprint"). Kept next to {@link RouterEnvironment} so every launcher (local mode; sidecar
 * injection) runs the router the same way. Every flag here is a product flag of JDK 21; one, since
 * 21.0.1, is added only on JDKs that have it.
 */
public final class RouterJvm {
  private RouterJvm() {}

  /**
   * The flags, with a class data archive at {@code archive}: the first run writes it at exit, later
   * runs map the classes from it instead of loading and verifying them again (JDK 19+); when
   * it was added, with the first JIT tier only, time to ready went from about 0.68 s to 0.27 s.
   */
  public static List<String> flags(Path archive) {
    List<String> flags = new ArrayList<>(List.of(
        // One thread collects a small heap in short pauses: no parallel or concurrent GC threads.
        "-XX:+UseSerialGC",
        // Enough for the bodies in flight (HttpLimits: a quarter of it) and the tables; a small
        // young generation keeps the pages each query's allocation touches few.
        "-Xmx128m", "-Xmn8m",
        // Both JIT tiers: the first tier alone halves the compile work of the first seconds but
        // doubles the CPU per query for the rest of a sidecar's life (measured at steady state:
        // 309 vs 148 us, 0.49x vs 0.24x the Redis CPU of the same queries; the sidecar benchmark's
        // "first JIT tier only" row). A router's hot path is small, so is its code cache.
        "-XX:ReservedCodeCacheSize=16m", "-XX:MaxMetaspaceSize=96m",
        // Request threads mostly wait on sockets; their stacks stay shallow.
        "-Xss512k",
        // Jetty 12 pads its queues to the cache line by the size of a reference, which it asks the
        // JVM through the platform MBean server unless told; creating that server (every platform
        // MBean, JFR's commands) was 60-70 ms of a router's start. A heap of -Xmx128m has
        // compressed references: 4 bytes, 16 to a 64-byte line.
        "-Dorg.eclipse.jetty.util.referencesPerCacheLine=16",
        "-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archive.toAbsolutePath()));
    if (trimsNativeHeap(Runtime.version())) {
      // The JIT's compilations free what they malloc, but glibc keeps the freed memory: 34 MB of
      // the main arena stayed resident after the first minute of load. Giving it back every second
      // took a router from 136 to 111 MB under load and from 106 to 96 MB idle (by hand).
      flags.add("-XX:TrimNativeHeapInterval=1000");
    }
    return List.copyOf(flags);
  }

  /**
   * Whether the JDK has {@code -XX:TrimNativeHeapInterval}: a product flag since 21.0.1 (and 22);
   * JDK 21.0.0 would refuse to start with it. Every launcher runs the router on its own JDK.
   */
  static boolean trimsNativeHeap(Runtime.Version version) {
    return version.feature() > 21 || (version.feature() == 21 && version.update() >= 1);
  }

  /**
   * The process environment beside {@link RouterEnvironment}'s settings: glibc's malloc keeps an
   * arena per thread that allocates, each holding freed memory; two are plenty for the JVM's own
   * native allocations.
   */
  public static Map<String, String> environment() {
    return Map.of("MALLOC_ARENA_MAX", "2");
  }
}
