package io.vectorshard.core.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * A redis-server process on this machine, started with the settings vector sets need: AOF with
 * the RDB preamble (vector sets survive restarts; without the preamble AOF rewrite crashes), bound
 * to loopback. Used by local mode and by tests, so tests run the same server setup users get.
 */
public final class RedisProcess {
  private final int port;
  private final Path dir;
  private final Process process;

  private RedisProcess(int port, Path dir, Process process) {
    this.port = port;
    this.dir = dir;
    this.process = process;
  }

  /** The command line of a shard server; {@code daemonize} detaches it from the calling process. */
  public static List<String> command(Path binary, int port, Path dir, boolean persistent, boolean daemonize,
      Map<String, String> extraConfig) {
    List<String> args = new ArrayList<>(List.of(binary.toString(),
        "--port", Integer.toString(port),
        "--bind", "127.0.0.1",
        "--dir", dir.toAbsolutePath().toString(),
        "--logfile", dir.resolve("redis.log").toAbsolutePath().toString(),
        "--pidfile", dir.resolve("redis.pid").toAbsolutePath().toString(),
        "--daemonize", daemonize ? "yes" : "no",
        "--appendonly", persistent ? "yes" : "no",
        "--aof-use-rdb-preamble", "yes",
        "--save", persistent ? "3600 1 300 100 60 10000" : ""));
    extraConfig.forEach((k, v) -> {
      args.add("--" + k);
      args.add(v);
    });
    return args;
  }

  /** Starts a non-daemonized server owned by this JVM and waits until it answers PING. */
  public static RedisProcess start(int port, Path dir, boolean persistent) {
    try {
      Files.createDirectories(dir);
      Process process = new ProcessBuilder(command(RedisBinary.find(), port, dir, persistent, false, Map.of()))
          .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
      RedisProcess redis = new RedisProcess(port, dir, process);
      awaitPing(port, Duration.ofSeconds(10), process::isAlive);
      return redis;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until a server answers PING on the port, failing early if {@code alive} turns false. */
  public static void awaitPing(int port, Duration timeout, java.util.function.BooleanSupplier alive) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!alive.getAsBoolean()) {
        throw new IllegalStateException("redis-server on port " + port + " exited during start");
      }
      try (Jedis jedis = new Jedis(new redis.clients.jedis.HostAndPort("127.0.0.1", port),
          ShardConnections.clientConfig(null, 200, 200, "vectorshard-probe"))) {
        if ("PONG".equals(jedis.ping())) {
          return;
        }
      } catch (RuntimeException notYet) {
        sleep(20);
      }
    }
    throw new IllegalStateException("redis-server on port " + port + " did not answer within " + timeout);
  }

  public int port() { return port; }
  public Path dir() { return dir; }
  public boolean isAlive() { return process.isAlive(); }

  /** Kills the server at once (SIGKILL), as a crash would. */
  public void kill() {
    process.destroyForcibly();
    waitFor();
  }

  /** Stops the server (SIGTERM: Redis saves if persistent, then exits). */
  public void stop() {
    process.destroy();
    waitFor();
  }

  private void waitFor() {
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
