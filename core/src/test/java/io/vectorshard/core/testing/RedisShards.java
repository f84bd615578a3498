package io.vectorshard.core.testing;

import io.vectorshard.core.redis.ShardConnections;
import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.api.VectorsSpec;
import io.vectorshard.core.redis.RedisProcess;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardClients;
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
import java.util.stream.IntStream;
import java.util.stream.Stream;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Real redis-server processes for tests, one per shard, on free loopback ports. Started with the
 * same {@link RedisProcess} launcher local mode uses. A missing Redis 8 fails the test with the
 * message of {@link io.vectorshard.core.redis.RedisBinary}; it never skips.
 */
public final class RedisShards implements AutoCloseable {
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
    servers.add(RedisProcess.start(freePort(), root.resolve("shard-" + ordinal), false));
    return ordinal;
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
      try (Jedis redis = new Jedis(e.host(), e.port())) {
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
    try (ShardClients clients = new ShardClients(null, Duration.ofSeconds(2))) {
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
    try (Jedis probe = new Jedis(new HostAndPort("127.0.0.1", port), ShardConnections.clientConfig(null, 150, 150, null))) {
      probe.ping();
      return false;
    } catch (JedisConnectionException e) {
      return true;
    }
  }

  /** Ids of the connections to a local server that vectorshard made (it names them "vectorshard"). */
  public static List<String> vectorshardConnections(int port, String password) {
    return vectorshardConnections(new HostAndPort("127.0.0.1", port), password);
  }

  /** The same for a server at any address (a shard pod's, in the Kubernetes tests). */
  public static List<String> vectorshardConnections(HostAndPort server, String password) {
    try (Jedis admin = new Jedis(server, ShardConnections.clientConfig(password, 2000, 2000, null))) {
      return admin.clientList().lines().filter(l -> l.contains(" name=vectorshard "))
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
