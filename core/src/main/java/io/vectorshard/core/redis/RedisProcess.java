package io.vectorshard.core.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
 * to loopback, and the ACL users of {@link ShardAcl} from a file of its own (mode 0600; passwords
 * only as hashes, none on the command line). Used by local mode and by tests, so tests run the
 * same server setup users get.
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

  /** The file of a shard's users, in its directory. */
  static final String USERS_FILE = "users.conf";

  /**
   * Writes the shard's users ({@link ShardAcl#directives}) into its directory, readable by this
   * user only, and returns the file for {@link #command}.
   */
  public static Path writeUsers(Path dir, String adminPassword, String routerPassword) {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(USERS_FILE);
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(file, ShardAcl.directives(adminPassword, routerPassword));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The command line of a shard server; {@code daemonize} detaches it from the calling process.
   *
   * @param users the file of {@link #writeUsers}, read as the server's configuration file
   */
  public static List<String> command(Path binary, Path users, int port, Path dir, boolean persistent, boolean daemonize,
      Map<String, String> extraConfig) {
    List<String> args = new ArrayList<>(List.of(binary.toString(), users.toAbsolutePath().toString(),
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

  /**
   * Starts a non-daemonized server owned by this JVM, with the two users' passwords, and waits until
   * it answers the administrator's PING.
   */
  public static RedisProcess start(int port, Path dir, boolean persistent, String adminPassword, String routerPassword) {
    RedisProcess redis = launch(port, dir, persistent, adminPassword, routerPassword, Map.of());
    awaitPing(port, ShardCredentials.admin(adminPassword), Duration.ofSeconds(10), redis::isAlive);
    return redis;
  }

  /**
   * As {@link #start}, with more configuration, without waiting for the server to answer: a server
   * loading a large dataset answers {@code LOADING} for a while, and tests of that need it then.
   */
  public static RedisProcess launch(int port, Path dir, boolean persistent, String adminPassword, String routerPassword,
      Map<String, String> extraConfig) {
    try {
      Path users = writeUsers(dir, adminPassword, routerPassword);
      Process process = new ProcessBuilder(command(RedisBinary.find(), users, port, dir, persistent, false, extraConfig))
          .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
      return new RedisProcess(port, dir, process);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until a server answers PING on the port, failing early if {@code alive} turns false. */
  public static void awaitPing(int port, ShardCredentials credentials, Duration timeout,
      java.util.function.BooleanSupplier alive) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!alive.getAsBoolean()) {
        throw new IllegalStateException("redis-server on port " + port + " exited during start");
      }
      try (Jedis jedis = new Jedis(new redis.clients.jedis.HostAndPort("127.0.0.1", port),
          ShardConnections.clientConfig(credentials, 200, 200, "vectorshard-probe"))) {
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
