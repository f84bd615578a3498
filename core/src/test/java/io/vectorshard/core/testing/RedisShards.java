package io.vectorshard.core.testing;

import io.vectorshard.core.redis.ShardConnections;
import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.api.VectorsSpec;
import io.vectorshard.core.redis.RedisProcess;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardClients;
import io.vectorshard.core.redis.ShardCredentials;
import io.vectorshard.core.routing.RoutingPublisher;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.ShardEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Real redis-server processes for tests, one per shard, on free loopback ports. Started with the
 * same {@link RedisProcess} launcher local mode uses, so with the same ACL users: tests connect as
 * {@link #ADMIN} (what the operator is) or {@link #ROUTER} (what a router is), never without a
 * password. A missing Redis 8 fails the test with the message of
 * {@link io.vectorshard.core.redis.RedisBinary}; it never skips.
 */
public final class RedisShards implements AutoCloseable {
  /** The administrator of every test shard (passwords are new in each test JVM). */
  public static final ShardCredentials ADMIN = ShardCredentials.admin(ShardCredentials.generatePassword());
  /** The router's user on every test shard. */
  public static final ShardCredentials ROUTER = ShardCredentials.router(ShardCredentials.generatePassword());

  private final Path root;
  private final List<RedisProcess> servers = new ArrayList<>();

  private RedisShards(Path root) {
    this.root = root;
  }

  public static RedisShards start(int count) {
    try {
      RedisShards shards = new RedisShards(Files.createTempDirectory("vsc-test-redis"));
      for (int i = 0; i < count; i++) {
        shards.add();
      }
      return shards;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts one more server and returns its ordinal. */
  public int add() {
    int ordinal = servers.size();
    servers.add(start(freePort(), root.resolve("shard-" + ordinal)));
    return ordinal;
  }

  /** A server with the test users on {@code port} (a restart of one that ran there, say). */
  public static RedisProcess start(int port, Path dir) {
    return RedisProcess.start(port, dir, false, ADMIN.password(), ROUTER.password());
  }

  /** A connection to a test shard as its administrator, for tests that inspect or break it. */
  public static Jedis admin(String host, int port) {
    return new Jedis(new HostAndPort(host, port), ShardConnections.clientConfig(ADMIN, 2000, 10_000, null));
  }

  /** Whether any process on this machine shows one of {@code secrets} among its arguments. */
  public static boolean onAnyCommandLine(String... secrets) {
    return ProcessHandle.allProcesses().flatMap(p -> p.info().arguments().map(List::of).orElse(List.of()).stream())
        .anyMatch(arg -> Stream.of(secrets).anyMatch(arg::contains));
  }

  /**
   * Kills server {@code ordinal} and starts it again on its port and directory with more
   * configuration, without waiting for it to answer: it loads the {@code dump.rdb} a {@code SAVE}
   * left there, answering {@code LOADING} meanwhile.
   */
  public RedisProcess restart(int ordinal, Map<String, String> extraConfig) {
    RedisProcess old = servers.get(ordinal);
    old.kill();
    RedisProcess restarted = RedisProcess.launch(old.port(), old.dir(), false, ADMIN.password(), ROUTER.password(), extraConfig);
    servers.set(ordinal, restarted);
    return restarted;
  }

  public RedisProcess server(int ordinal) {
    return servers.get(ordinal);
  }

  public int size() {
    return servers.size();
  }

  /** Empties every server (FLUSHALL: data, epoch and table go; the function library stays). */
  public void flushAll() {
    for (ShardEndpoint e : endpoints()) {
      try (Jedis redis = admin(e.host(), e.port())) {
        redis.flushAll();
      }
    }
  }

  public List<ShardEndpoint> endpoints() {
    return IntStream.range(0, servers.size())
        .mapToObj(i -> ShardEndpoint.of(i, "127.0.0.1", servers.get(i).port()))
        .toList();
  }

  /** A spec for these shards with the given dimensions and defaults elsewhere. */
  public VectorShardClusterSpec spec(int dimensions) {
    VectorShardClusterSpec spec = new VectorShardClusterSpec();
    spec.setShards(servers.size());
    VectorsSpec vectors = new VectorsSpec();
    vectors.setDimensions(dimensions);
    spec.setVectors(vectors);
    return spec;
  }

  /** Builds a table over all servers from the spec and publishes it (functions loaded). */
  public RoutingTable publish(String cluster, long epoch, VectorShardClusterSpec spec) {
    RoutingTable table = RoutingTable.of(cluster, epoch, spec, endpoints());
    try (ShardClients clients = new ShardClients(ADMIN, Duration.ofSeconds(2))) {
      new RoutingPublisher(clients).publish(table);
    }
    return table;
  }

  /**
   * True when a fresh connection to the local port cannot get a PING answered within 150 ms: the
   * server is stalled (CLIENT PAUSE) or down. Tests use it to show that a deadline, not the end of
   * a stall, ended a call, without timing anything.
   */
  public static boolean stalled(int port) {
    try (Jedis probe = new Jedis(new HostAndPort("127.0.0.1", port), ShardConnections.clientConfig(ADMIN, 150, 150, null))) {
      probe.ping();
      return false;
    } catch (JedisConnectionException e) {
      return true;
    }
  }

  /** Ids of the connections to a local server that vectorshard made (it names them "vectorshard"). */
  public static List<String> vectorshardConnections(int port) {
    return vectorshardConnections(new HostAndPort("127.0.0.1", port), ADMIN);
  }

  /** The same for a server at any address (a shard pod's, in the Kubernetes tests). */
  public static List<String> vectorshardConnections(HostAndPort server, ShardCredentials admin) {
    try (Jedis connection = new Jedis(server, ShardConnections.clientConfig(admin, 2000, 2000, null))) {
      return connection.clientList().lines().filter(l -> l.contains(" name=vectorshard "))
          .map(l -> l.substring(0, l.indexOf(' '))).toList();
    }
  }

  /**
   * The first of {@code count} consecutive ports that are all free now (bound on every address to
   * check), for clusters whose shards listen on a base port plus the ordinal.
   */
  public static int freePortRange(int count) {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = freePort();
      if (base + count > 65000) {
        continue;
      }
      boolean free = true;
      for (int p = base; p < base + count && free; p++) {
        try (ServerSocket ignored = new ServerSocket(p)) {
          // free
        } catch (IOException e) {
          free = false;
        }
      }
      if (free) {
        return base;
      }
    }
    throw new IllegalStateException("no free range of " + count + " ports");
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills the servers and deletes their directories (data, logs), so test runs leave nothing in /tmp. */
  @Override
  public void close() {
    servers.forEach(RedisProcess::kill);
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + root, e);
    }
  }
}
