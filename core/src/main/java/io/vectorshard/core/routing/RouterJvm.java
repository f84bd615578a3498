package io.vectorshard.core.routing;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;

/**
 * The JVM command line and process environment of a router, which every application pod runs as a
 * sidecar, so its footprint is paid once per pod; sized by the sidecar benchmark (docs/benchmarks.md,
 * "Sidecar footprint"). Kept next to {@link RouterEnvironment} so every launcher (local mode; sidecar
 * injection) runs the router the same way. Every flag here is a product flag of JDK 21, except two
 * added only on JDKs that have them: the native heap trim (21.0.1) and the AOT cache (25).
 */
public final class RouterJvm {
  private RouterJvm() {}

  /**
   * How a router keeps its classes between starts, so that later starts map them instead of
   * loading, verifying and linking them again.
   */
  public enum ClassCache {
    /**
     * JDK 25's ahead-of-time cache (JEP 483, 514, 515): classes loaded and linked, with the
     * method profiles of the run that wrote it. The first start records and writes the cache at
     * its exit (about 2 s more to stop); time to ready then went from about 0.44 to 0.37 s against
     * the class data archive (alternating starts, by hand; docs/benchmarks.md). It cannot hold
     * classes from a directory, and the JDK refuses one that does not match the JDK or the jars,
     * so it is named by a fingerprint of both and written afresh when they change.
     */
    AOT_CACHE,
    /**
     * A dynamic class data archive (JDK 19+), written at the first start's exit and rewritten by
     * the JDK when the jars change; when it was added, with the first JIT tier only, time to ready
     * went from about 0.68 s to 0.27 s.
     */
    CLASS_DATA_ARCHIVE
  }

  /**
   * The {@code java} to run the router with: this JVM's own, the JDK the flags are chosen for (one
   * from PATH could be an older JDK that refuses them).
   */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * The classpath to run the router from: its sidecar jar (the router module's
   * {@code -sidecar.jar}, the router with every dependency in one file) where it lies beside the
   * jar {@code routerMain} was loaded from, as it does in the router's {@code target}, in the
   * CLI's {@code lib} and in a Maven repository; else {@code otherwise}. One jar makes each lookup
   * across the classpath (SLF4J's, Jetty's and Prometheus's ServiceLoaders, resources) open one
   * file instead of some sixty: about 55 ms of a 370 ms start. A sidecar jar older than the plain
   * jar is not used.
   */
  public static String classpath(Class<?> routerMain, String otherwise) {
    return sidecarJar(routerMain).map(Path::toString).orElse(otherwise);
  }

  private static Optional<Path> sidecarJar(Class<?> routerMain) {
    try {
      CodeSource source = routerMain.getProtectionDomain().getCodeSource();
      Path jar = source == null ? null : Path.of(source.getLocation().toURI());
      String name = jar == null ? "" : jar.getFileName().toString();
      if (!name.endsWith(".jar")) {
        return Optional.empty(); // classes from a directory: a test run
      }
      Path sidecar = jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + SIDECAR_SUFFIX);
      // The build writes the sidecar jar after the plain one; an older one (a plain jar rebuilt or
      // downloaded alone) would run another build's classes, so it is passed over.
      boolean current = Files.isRegularFile(sidecar)
          && Files.getLastModifiedTime(sidecar).compareTo(Files.getLastModifiedTime(jar)) >= 0;
      return current ? Optional.of(sidecar.toAbsolutePath()) : Optional.empty();
    } catch (URISyntaxException | IOException | RuntimeException e) {
      return Optional.empty(); // not a file: URL (a nested jar, say), or unreadable: the given classpath then
    }
  }

  private static final String SIDECAR_SUFFIX = "-sidecar.jar";

  /** The flags, with the best class cache this JDK has for {@code classpath}, kept in {@code cacheDirectory}. */
  public static List<String> flags(Path cacheDirectory, String classpath) {
    return withCache(cacheDirectory, classpath, bestCache(classpath));
  }

  /** The flags with the given class cache; {@link ClassCache#AOT_CACHE} needs JDK 25 and jars only. */
  public static List<String> flags(Path cacheDirectory, String classpath, ClassCache cache) {
    if (cache == ClassCache.AOT_CACHE && bestCache(classpath) != ClassCache.AOT_CACHE) {
      throw new IllegalArgumentException("an AOT cache needs JDK 25 or later and a classpath of jars only");
    }
    return withCache(cacheDirectory, classpath, cache);
  }

  private static List<String> withCache(Path cacheDirectory, String classpath, ClassCache cache) {
    List<String> flags = new ArrayList<>(List.of(
        // One thread collects a small heap in short pauses: no parallel or concurrent GC threads.
        "-XX:+UseSerialGC",
        // Enough for the bodies in flight (HttpLimits: a quarter of it) and the tables. The young
        // generation is what an idle router has touched of its heap: 4 MB instead of 8 took 2 MB
        // off its idle RSS (by hand, alternating); a query allocates some 30 KB, so that is a
        // collection of a small live set every hundred-odd queries (measured with queries only:
        // a batch's body, up to HttpLimits' bound, goes to the old generation either way).
        "-Xmx128m", "-Xmn4m",
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
        // The router formats nothing in a reader's language (JSON, Prometheus text, log lines with
        // numeric dates), yet Jetty's MimeTypes asks for every available locale and the log's date
        // format loads locale data: with the JDK's CLDR provider that is its 1,158 locales from
        // jdk.localedata, 60-70 ms of a 325 ms start (alternating starts, by hand). HOST names the
        // operating system's settings, which the JDK implements on Windows and macOS only; on Linux
        // it falls back to its built-in root and English data in java.base (the log's numeric
        // timestamps and the router's Locale.ROOT formatting come out the same).
        "-Djava.locale.providers=HOST"));
    if (trimsNativeHeap(Runtime.version())) {
      // The JIT's compilations free what they malloc, but glibc keeps the freed memory: 34 MB of
      // the main arena stayed resident after the first minute of load. Giving it back every second
      // took a router from 136 to 111 MB under load and from 106 to 96 MB idle (by hand).
      flags.add("-XX:TrimNativeHeapInterval=1000");
    }
    flags.addAll(switch (cache) {
      case AOT_CACHE -> aotCache(cacheDirectory, classpath);
      case CLASS_DATA_ARCHIVE -> List.of("-XX:+AutoCreateSharedArchive",
          "-XX:SharedArchiveFile=" + cacheDirectory.resolve("router.jsa").toAbsolutePath());
    });
    return List.copyOf(flags);
  }

  /** The AOT cache where this JDK has one and {@code classpath} is jars only, else the class data archive. */
  public static ClassCache bestCache(String classpath) {
    return bestCache(Runtime.version(), classpath);
  }

  static ClassCache bestCache(Runtime.Version version, String classpath) {
    boolean jarsOnly = Arrays.stream(classpath.split(File.pathSeparator)).allMatch(e -> e.endsWith(".jar") && Files.isRegularFile(Path.of(e)));
    return version.feature() >= 25 && jarsOnly ? ClassCache.AOT_CACHE : ClassCache.CLASS_DATA_ARCHIVE;
  }

  /**
   * Uses the cache for this JDK and these jars if an earlier start wrote it whole, else records one:
   * this start writes it at its exit. The JDK writes {@code <cache>.config} first and removes it
   * once the cache is complete, so a cache beside its configuration was cut short (the router
   * killed while writing it) and is recorded again rather than refused by every later start. The
   * files of other JDKs or jars are removed then; a cache is ~35 MB.
   */
  private static List<String> aotCache(Path directory, String classpath) {
    String name = CACHE_PREFIX + fingerprint(classpath) + ".aot";
    Path cache = directory.resolve(name).toAbsolutePath();
    if (Files.isRegularFile(cache) && !Files.exists(cache.resolveSibling(name + ".config"))) {
      return List.of("-XX:AOTCache=" + cache);
    }
    try (DirectoryStream<Path> old = Files.newDirectoryStream(directory, CACHE_PREFIX + "*.aot{,.config}")) {
      for (Path stale : old) {
        Files.deleteIfExists(stale);
      }
    } catch (IOException | DirectoryIteratorException e) {
      // Only disk space is at stake: the JDK never uses a cache named for other jars, and this
      // start records its own cache over whatever is left.
    }
    // Writing the cache warns of every class it leaves out (JFR's events, say): noise in the
    // router's log on the first stop. Errors stay.
    return List.of("-XX:AOTCacheOutput=" + cache, "-Xlog:aot=error");
  }

  private static final String CACHE_PREFIX = "router-";

  private static final Pattern CACHE_MESSAGE = Pattern.compile("\\bAOT ?(cache|configuration)", Pattern.CASE_INSENSITIVE);

  /**
   * Whether a line of a router's output is the JDK's own report of writing the AOT cache, which a
   * recording start prints as it exits ("AOTCache creation is complete: ...", "Removed temporary
   * AOT configuration file ..."), even when the router failed: after the router's last words.
   */
  public static boolean isClassCacheMessage(String line) {
    return CACHE_MESSAGE.matcher(line).find();
  }

  /**
   * The JDK and every jar (path, size, modification time), those a jar's manifest names in its
   * {@code Class-Path} too ({@code vsc.jar} names all the others): what an AOT cache is valid for.
   */
  static String fingerprint(String classpath) {
    StringBuilder what = new StringBuilder(System.getProperty("java.home")).append('|').append(Runtime.version());
    Set<Path> seen = new LinkedHashSet<>();
    for (String entry : classpath.split(File.pathSeparator)) {
      addJar(Path.of(entry).toAbsolutePath().normalize(), seen);
    }
    for (Path jar : seen) {
      try {
        what.append('|').append(jar).append(',').append(Files.size(jar)).append(',').append(Files.getLastModifiedTime(jar).toMillis());
      } catch (IOException e) {
        what.append('|').append(jar).append(",missing");
      }
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(what.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static void addJar(Path jar, Set<Path> seen) {
    if (!seen.add(jar)) {
      return;
    }
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      String classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
      if (classPath != null) {
        for (String relative : classPath.trim().split("\\s+")) {
          addJar(jar.resolveSibling(relative).normalize(), seen);
        }
      }
    } catch (IOException e) {
      // A missing or unreadable jar is fingerprinted as missing.
    }
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
