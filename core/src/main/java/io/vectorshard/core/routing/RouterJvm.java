package io.vectorshard.core.routing;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The JVM command line and process environment of a router, which every application pod runs as a
 * sidecar, so its footprint is paid once per pod; sized by the sidecar benchmark (docs/benchmarks.md,
 * "Sidecar footprint"). Kept next to {@link RouterEnvironment} so every launcher (local mode; sidecar
 * injection) runs the router the same way. Every flag here is a product flag of JDK 21.
 */
public final class RouterJvm {
  /** The flag that keeps the JIT at its first tier; see {@link #flags}. */
  public static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

  private RouterJvm() {}

  /**
   * The flags, with a class data archive at {@code archive}: the first run writes it at exit, later
   * runs map the classes from it instead of loading and verifying them again (JDK 19+); time to
   * ready went from about 0.68 s to 0.27 s.
   */
  public static List<String> flags(Path archive) {
    return List.of(
        // One thread collects a small heap in short pauses: no parallel or concurrent GC threads.
        "-XX:+UseSerialGC",
        // Enough for the bodies in flight (HttpLimits: a quarter of it) and the tables; a small
        // young generation keeps the pages each query's allocation touches few.
        "-Xmx128m", "-Xmn8m",
        // The first JIT tier only: a router's hot path is small, and the optimizing compiler's
        // threads, memory and compile time cost more than its code saves in a sidecar's life
        // (measured: 0.21x instead of 0.37x the Redis CPU per query, 4 MB less resident).
        C1_ONLY, "-XX:ReservedCodeCacheSize=16m", "-XX:MaxMetaspaceSize=96m",
        // Request threads mostly wait on sockets; their stacks stay shallow.
        "-Xss512k",
        "-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=" + archive.toAbsolutePath());
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
