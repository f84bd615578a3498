package io.vectorshard.bench;

import io.vectorshard.core.routing.RouterEnvironment;
import io.vectorshard.core.routing.RouterJvm;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.testing.RedisShards;
import io.vectorshard.router.RouterMain;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A router as a process of its own, as a sidecar runs, with what {@code /proc} tells of it. */
final class RouterProcess {

  final Process process;
  final long pid;
  final int port;
  final long readyMillis;

  private RouterProcess(Process process, int port, long readyMillis) {
    this.process = process;
    this.pid = process.pid();
    this.port = port;
    this.readyMillis = readyMillis;
  }

  /**
   * The classpath launchers run the router from: its sidecar jar where the build made one
   * ({@link RouterJvm#classpath}), else {@link #separateJars()}.
   */
  static String classpath() {
    return RouterJvm.classpath(RouterMain.class, separateJars());
  }

  /**
   * The router's jars one by one: this JVM's, without directories. A class cache cannot hold
   * classes from a directory (the benchmark's own classes are one), and the sidecar image has jars only.
   */
  static String separateJars() {
    return String.join(java.io.File.pathSeparator, Arrays.stream(System.getProperty("java.class.path")
        .split(java.io.File.pathSeparator)).filter(e -> e.endsWith(".jar")).toList());
  }

  /**
   * Starts {@code java <flags> -cp <classpath()> RouterMain} with {@code env} and the shard as
   * its seed, and waits until it is ready; its output goes to {@code work/router.log}.
   */
  static RouterProcess start(List<String> jvmFlags, Map<String, String> variantEnv, ShardEndpoint shard, Path work)
      throws Exception {
    return start(jvmFlags, variantEnv, classpath(), shard, work);
  }

  /** As {@link #start(List, Map, ShardEndpoint, Path)}, with another build's jars; {@code variantEnv} wins. */
  static RouterProcess start(List<String> jvmFlags, Map<String, String> variantEnv, String classpath, ShardEndpoint shard,
      Path work) throws Exception {
    int port = RedisShards.freePort();
    List<String> command = new ArrayList<>();
    command.add(RouterJvm.java());
    command.addAll(jvmFlags);
    command.addAll(List.of("-cp", classpath, RouterMain.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("router.log").toFile()));
    Map<String, String> env = new LinkedHashMap<>();
    env.put(RouterEnvironment.SEEDS.variable(), shard.address());
    env.put(RouterEnvironment.PORT.variable(), Integer.toString(port));
    env.put(RouterEnvironment.REDIS_USER.variable(), RedisShards.ROUTER.user());
    env.put(RouterEnvironment.REDIS_PASSWORD.variable(), RedisShards.ROUTER.password());
    env.putAll(variantEnv);
    builder.environment().putAll(env);
    long t0 = System.nanoTime();
    Process process = builder.start();
    while (!ready(port)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the router exited during start; see " + work.resolve("router.log"));
      }
      if (System.nanoTime() - t0 > Duration.ofSeconds(60).toNanos()) {
        process.destroyForcibly();
        throw new IllegalStateException("the router was not ready within 60 s");
      }
      Thread.sleep(5);
    }
    return new RouterProcess(process, port, (System.nanoTime() - t0) / 1_000_000);
  }

  private static boolean ready(int port) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/readyz").toURL().openConnection();
      c.setConnectTimeout(200);
      c.setReadTimeout(500);
      return c.getResponseCode() == 200;
    } catch (IOException notYet) {
      return false;
    }
  }

  /** The highest resident memory and thread count seen. */
  record Peak(long rssKb, int threads) {}

  /** Samples the process every {@code every} until {@code duration} has passed; the highest figures seen. */
  Peak peakOver(Duration duration, Duration every) throws IOException, InterruptedException {
    long rss = 0;
    int threads = 0;
    long end = System.nanoTime() + duration.toNanos();
    while (System.nanoTime() < end) {
      rss = Math.max(rss, rssKb());
      threads = Math.max(threads, threads());
      Thread.sleep(every.toMillis());
    }
    return new Peak(rss, threads);
  }

  long rssKb() throws IOException {
    return Long.parseLong(status("VmRSS").replace("kB", "").trim());
  }

  /** Resident memory of the process's own (anonymous) pages: RSS without mapped files such as the class archive. */
  long anonKb() throws IOException {
    return Long.parseLong(status("RssAnon").replace("kB", "").trim());
  }

  int threads() throws IOException {
    return Integer.parseInt(status("Threads").trim());
  }

  private String status(String field) throws IOException {
    return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith(field + ":"))
        .findFirst().map(l -> l.substring(field.length() + 1)).orElseThrow();
  }

  /** Stops the router as Kubernetes would (SIGTERM), so a class data archive it writes at exit is complete. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
