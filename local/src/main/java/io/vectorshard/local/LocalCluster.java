package io.vectorshard.local;

import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.core.redis.RedisBinary;
import io.vectorshard.core.redis.RedisProcess;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardClients;
import io.vectorshard.core.routing.RouterEnvironment;
import io.vectorshard.core.routing.RouterJvm;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.engine.RoutingEngine;
import io.vectorshard.engine.TableDecision;
import io.vectorshard.router.RouterMain;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A cluster of Redis processes and a router on this machine, from a {@code VectorShardCluster}
 * manifest: what the operator does on Kubernetes, with processes instead of StatefulSets. Shards
 * run detached (daemonized, AOF on), so the cluster outlives the command that started it. Every
 * shard requires a password: the cluster's {@link LocalCredentials}, with the router on its own
 * least-privileged ACL user and this class (the engine) as the administrator.
 */
public final class LocalCluster {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final Duration DRAIN_GRACE = Duration.ofSeconds(1);

  private final Path stateRoot;
  private final PrintStream out;

  /**
   * @param stateRoot where clusters keep their data and state ({@code .vsc} by default)
   * @param out where progress is reported
   */
  public LocalCluster(Path stateRoot, PrintStream out) {
    this.stateRoot = stateRoot;
    this.out = out;
  }

  public Path clusterDir(String cluster) {
    return stateRoot.resolve(cluster);
  }

  /** Options of {@code up} that are not part of the manifest. */
  public record UpOptions(int basePort, String routerHost) {}

  /**
   * Starts (or resumes) the cluster: shards, function library, routing table, router. Running it
   * again on a running cluster changes nothing. Refuses changes that would move data (that is
   * {@link #apply}'s job) and a dimension change on existing data.
   */
  public LocalState up(VectorShardCluster manifest, UpOptions options) {
    String name = manifest.getMetadata().getName();
    VectorShardClusterSpec spec = manifest.getSpec();
    Path dir = clusterDir(name);
    Optional<LocalState> previous = LocalState.read(dir);
    List<LocalState.Shard> shards = new ArrayList<>();
    for (int i = 0; i < spec.getShards(); i++) {
      int port = previous.filter(p -> p.shards().size() > shards.size())
          .map(p -> p.shards().get(shards.size()).port()).orElse(options.basePort() + shards.size());
      shards.add(new LocalState.Shard(i, port, dir.resolve("shard-" + i).toAbsolutePath().toString()));
    }
    previous.ifPresent(p -> {
      if (p.shards().size() != spec.getShards()) {
        throw new IllegalStateException("cluster " + name + " has " + p.shards().size() + " shards and the manifest asks for "
            + spec.getShards() + "; `vsc local up` starts a cluster as it is, `vsc local apply -f` changes its shape");
      }
    });
    Path binary = RedisBinary.find();
    LocalCredentials credentials = LocalCredentials.ensure(dir);
    List<LocalState.Shard> startedNow = new ArrayList<>();
    LocalState.Router router;
    RoutingTable table;
    try {
      for (LocalState.Shard shard : shards) {
        if (startShard(binary, credentials, shard, spec.getRedis().getConfig())) {
          startedNow.add(shard);
        }
      }
      List<ShardEndpoint> endpoints = shards.stream().map(s -> ShardEndpoint.of(s.ordinal(), "127.0.0.1", s.port())).toList();
      table = publishTable(name, spec, endpoints, credentials);
      router = previous.map(LocalState::router).filter(r -> alive(r.pid()) && ready(r))
          .orElseGet(() -> startRouter(dir, spec, endpoints, options.routerHost(), credentials));
    } catch (RuntimeException e) {
      // A failed up leaves nothing running that it started; shards already running stay as they were.
      startedNow.forEach(shard -> stopShard(shard, credentials));
      throw e;
    }
    LocalState state = new LocalState(name, shards, router);
    state.write(dir);
    out.printf("cluster %s is up: %d shards, routing epoch %d, router at %s%n", name, shards.size(), table.epoch(),
        router.url());
    return state;
  }

  /** Starts a shard unless it already answers (to this cluster's password); returns whether it was started. */
  private boolean startShard(Path binary, LocalCredentials credentials, LocalState.Shard shard,
      Map<String, String> extraConfig) {
    try (ShardClient probe = new ShardClient(ShardEndpoint.of(shard.ordinal(), "127.0.0.1", shard.port()),
        credentials.adminCredentials(), TIMEOUT, 1)) {
      if (probe.ping()) {
        return false;
      }
    }
    requireFree(shard.port(), "shard " + shard.ordinal());
    try {
      Path dir = Path.of(shard.dir());
      Files.createDirectories(dir);
      Path users = RedisProcess.writeUsers(dir, credentials.admin(), credentials.router());
      Process starter = new ProcessBuilder(RedisProcess.command(binary, users, shard.port(), dir, true, true, extraConfig))
          .redirectErrorStream(true).redirectOutput(dir.resolve("start.log").toFile()).start();
      starter.waitFor();
      RedisProcess.awaitPing(shard.port(), credentials.adminCredentials(), Duration.ofSeconds(20), () -> true);
      out.printf("  started shard-%d: redis-server on 127.0.0.1:%d (data in %s)%n", shard.ordinal(), shard.port(), dir);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting shard " + shard.ordinal());
    }
  }

  /**
   * Publishes the manifest's table through the engine the operator uses: unchanged tables keep
   * their epoch, safe changes get the next one, and changes that would strand data are refused.
   */
  private static RoutingTable publishTable(String name, VectorShardClusterSpec spec, List<ShardEndpoint> endpoints,
      LocalCredentials credentials) {
    RoutingEngine.Outcome outcome;
    try (ShardClients clients = new ShardClients(credentials.adminCredentials(), TIMEOUT)) {
      outcome = new RoutingEngine(clients).sync(name, spec, endpoints, List.of());
    }
    switch (outcome.decision()) {
      case TableDecision.Blocked blocked -> throw new IllegalStateException(blocked.message());
      case TableDecision.Rebalance rebalance -> throw new IllegalStateException(rebalance.describe()
          + "; `vsc local apply -f` moves them" + (rebalance.resuming() ? " (a transition is under way: apply resumes it)" : ""));
      default -> {}
    }
    return outcome.served().orElseThrow();
  }

  /**
   * Brings a running cluster to an edited manifest: starts new shards (ports: shard 0's plus the
   * ordinal), runs the transition that moves data to the new placement (printing progress),
   * stops and removes the shards it drained, and returns the new state. Run again after an
   * interruption, it resumes the transition from what the shards hold. A refusal (a change the
   * engine cannot make) throws with the reason and leaves no process it started.
   */
  public LocalState apply(VectorShardCluster manifest) {
    String name = manifest.getMetadata().getName();
    VectorShardClusterSpec spec = manifest.getSpec();
    Path dir = clusterDir(name);
    LocalState previous = LocalState.read(dir).orElseThrow(() -> new IllegalStateException(
        "no local cluster named " + name + " under " + stateRoot + "; start it with `vsc local up -f`"));
    int basePort = previous.shards().get(0).port();
    List<LocalState.Shard> shards = new ArrayList<>();
    for (int i = 0; i < Math.max(spec.getShards(), previous.shards().size()); i++) {
      shards.add(i < previous.shards().size() ? previous.shards().get(i)
          : new LocalState.Shard(i, basePort + i, dir.resolve("shard-" + i).toAbsolutePath().toString()));
    }
    List<ShardEndpoint> endpoints = shards.stream().map(s -> ShardEndpoint.of(s.ordinal(), "127.0.0.1", s.port())).toList();
    Path binary = RedisBinary.find();
    LocalCredentials credentials = LocalCredentials.read(dir);
    List<LocalState.Shard> startedNow = new ArrayList<>();
    RoutingTable table;
    try (ShardClients clients = new ShardClients(credentials.adminCredentials(), TIMEOUT)) {
      try {
        for (LocalState.Shard shard : shards) {
          if (startShard(binary, credentials, shard, spec.getRedis().getConfig())) {
            startedNow.add(shard);
          }
        }
        // Every shard that may hold data is in the state from now on, so down and status find it.
        new LocalState(name, shards, previous.router()).write(dir);
        table = new LocalTransition(name, spec, clients, dir, out).converge(endpoints);
      } catch (RuntimeException e) {
        // Shards this apply started go again unless the live table already routes to them (the
        // transition began, and may have moved data there: the next apply resumes it).
        int routed = new RoutingEngine(clients).observe(endpoints).liveTable().map(t -> t.shards().size()).orElse(0);
        startedNow.stream().filter(s -> s.ordinal() >= routed).forEach(s -> stopShard(s, credentials));
        List<LocalState.Shard> kept = shards.stream()
            .filter(s -> s.ordinal() < Math.max(routed, previous.shards().size())).toList();
        new LocalState(name, kept, previous.router()).write(dir);
        throw e;
      }
    }
    List<LocalState.Shard> drained = shards.subList(table.shards().size(), shards.size());
    if (!drained.isEmpty()) {
      // Routers hear of the final table by announcement within milliseconds; a moment's grace lets
      // requests already on their way to a drained shard end there (STALE, then a retry) rather
      // than on a closed connection.
      pause(DRAIN_GRACE);
    }
    for (LocalState.Shard shard : drained) {
      stopShard(shard, credentials);
      deleteTree(Path.of(shard.dir()));
    }
    List<LocalState.Shard> serving = List.copyOf(shards.subList(0, table.shards().size()));
    LocalState.Router router = alive(previous.router().pid()) && ready(previous.router()) ? previous.router()
        : startRouter(dir, spec, endpoints.subList(0, serving.size()), previous.router().host(), credentials);
    LocalState state = new LocalState(name, serving, router);
    state.write(dir);
    out.printf("cluster %s is at its manifest: %d shards, routing epoch %d%n", name, serving.size(), table.epoch());
    return state;
  }

  /**
   * The router log's last line that is not a stack frame: the reason a start failed, which `up`
   * should print rather than send the user to the log. The router never logs secrets or vectors.
   */
  static String lastError(Path log) {
    try (var lines = Files.lines(log)) {
      return lines.map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("at ") && !l.startsWith("...") && !RouterJvm.isClassCacheMessage(l))
          .reduce((first, second) -> second).orElse("its log is empty");
    } catch (IOException | UncheckedIOException e) {
      return "its log cannot be read: " + e.getMessage();
    }
  }

  private LocalState.Router startRouter(Path dir, VectorShardClusterSpec spec, List<ShardEndpoint> endpoints, String host,
      LocalCredentials credentials) {
    int port = spec.getRouter().getPort();
    requireFree(port, "the router");
    Path log = dir.resolve("router.log").toAbsolutePath();
    List<String> command = new ArrayList<>(List.of(RouterJvm.java()));
    String classpath = RouterJvm.classpath(RouterMain.class, System.getProperty("java.class.path"));
    command.addAll(RouterJvm.flags(dir, classpath));
    command.addAll(List.of("-cp", classpath, RouterMain.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(RouterJvm.environment());
    builder.environment().putAll(RouterEnvironment.forCluster(spec.getRouter(), endpoints, host));
    builder.environment().put(RouterEnvironment.REDIS_PASSWORD.variable(), credentials.router());
    try {
      Process process = builder.start();
      LocalState.Router router = new LocalState.Router(host, port, process.pid(), log.toString());
      Instant deadline = Instant.now().plusSeconds(30);
      while (!ready(router)) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the router exited during start (" + lastError(log) + "); see " + log);
        }
        if (Instant.now().isAfter(deadline)) {
          process.destroy();
          throw new IllegalStateException("the router did not become ready within 30 s; see " + log);
        }
        Thread.sleep(100);
      }
      out.printf("  started the router (pid %d) on %s, log in %s%n", process.pid(), router.url(), log);
      return router;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the router");
    }
  }

  /**
   * Stops the router and the shards. Shards shut down with a save, so data survives for the next
   * {@code up}; only {@code purge} deletes the cluster's directory.
   */
  public boolean down(String cluster, boolean purge) {
    Path dir = clusterDir(cluster);
    Optional<LocalState> state = LocalState.read(dir);
    if (state.isEmpty()) {
      if (purge && Files.isDirectory(dir)) {
        deleteTree(dir);
        out.printf("removed %s%n", dir);
        return true;
      }
      out.printf("no local cluster named %s under %s%n", cluster, stateRoot);
      return false;
    }
    LocalState s = state.get();
    ProcessHandle.of(s.router().pid()).filter(p -> isRouter(p)).ifPresent(p -> {
      p.destroy();
      p.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).exceptionally(t -> {
        p.destroyForcibly();
        return p;
      }).join();
      out.printf("  stopped the router (pid %d)%n", p.pid());
    });
    LocalCredentials credentials = LocalCredentials.read(dir);
    s.shards().forEach(shard -> stopShard(shard, credentials));
    if (purge) {
      deleteTree(dir);
      out.printf("cluster %s is down; removed its data in %s%n", cluster, dir);
    } else {
      out.printf("cluster %s is down; its data stays in %s (`vsc local down %s --purge` removes it)%n", cluster, dir, cluster);
    }
    return true;
  }

  /** Shuts a shard down with a save, if it is running. */
  private void stopShard(LocalState.Shard shard, LocalCredentials credentials) {
    try (ShardClient client = new ShardClient(ShardEndpoint.of(shard.ordinal(), "127.0.0.1", shard.port()),
        credentials.adminCredentials(),
        Duration.ofSeconds(30), 1)) {
      if (client.ping()) {
        client.admin().shutdown();
        out.printf("  stopped shard-%d (port %d)%n", shard.ordinal(), shard.port());
      }
    }
  }

  /** What a cluster's processes and shards are doing now, or empty when there is no such cluster. */
  public Optional<LocalStatus> status(String cluster) {
    Path dir = clusterDir(cluster);
    return LocalState.read(dir).map(state -> LocalStatus.of(state, dir));
  }

  /** Names of clusters that have state under the state root. */
  public List<String> clusters() {
    if (!Files.isDirectory(stateRoot)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(stateRoot)) {
      return dirs.filter(d -> Files.exists(d.resolve(LocalState.FILE))).map(d -> d.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean isRouter(ProcessHandle process) {
    return process.info().arguments().map(args -> List.of(args).contains(RouterMain.class.getName())).orElse(true);
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  static boolean ready(LocalState.Router router) {
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build()) {
      HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(router.url() + "/readyz"))
          .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void requireFree(int port, String what) {
    try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
    } catch (IOException e) {
      throw new IllegalStateException("port " + port + " for " + what + " is in use; choose another (--base-port, spec.router.port)");
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
