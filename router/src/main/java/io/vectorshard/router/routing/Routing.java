package io.vectorshard.router.routing;

import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardException;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.RoutingTableCodec;
import io.vectorshard.core.routing.RoutingWatcher;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.router.RouterConfig;
import io.vectorshard.router.metrics.RouterMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;

/**
 * The router's view of the cluster: the newest routing table it has seen and a connection pool per
 * shard. Tables only move forward in epoch. A refresh asks every known shard (and the seeds) for
 * its table and keeps the highest epoch; it is triggered by announcements, by STALE replies, by a
 * newer epoch seen on a read, and by a periodic check, so a change never needs a restart.
 */
public final class Routing implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Routing.class);

  /** An immutable view: a table and the clients of its shards, by ordinal. */
  public record Snapshot(RoutingTable table, List<ShardClient> clients) {
    public ShardClient client(ShardEndpoint shard) {
      return clients.get(shard.ordinal());
    }

    public long epoch() {
      return table.epoch();
    }
  }

  private final RouterConfig config;
  private final RouterMetrics metrics;
  private final Map<String, ShardClient> clientsByAddress = new ConcurrentHashMap<>();
  /** Clients replaced or dropped from the table, waiting to be closed ({@link #retire}). */
  private final Set<ShardClient> retiring = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("routing-refresh").factory());
  private volatile Snapshot current;
  /**
   * Why no table is loaded yet, as the last refresh found it (null once one is): logged when it
   * changes, and the message of every request refused meanwhile, so a router that cannot read its
   * seeds (a wrong password, say) says why it is not ready.
   */
  private volatile String notReady = "no refresh has run yet";
  private RoutingWatcher watcher;

  public Routing(RouterConfig config, RouterMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  /** Starts listening for changes and loads the first table if any shard has one. */
  public Routing start() {
    refresh("bootstrap");
    watcher = new RoutingWatcher(config.seeds(), config.credentials(), epoch -> {
      if (epoch < 0 || current == null || epoch > current.epoch()) {
        scheduler.execute(() -> refresh("announcement"));
      }
    }).start();
    long every = config.tableCheckInterval().toMillis();
    if (every > 0) {
      scheduler.scheduleWithFixedDelay(() -> refresh("poll"), every, every, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /** Why no table is loaded yet (empty once one is). */
  public Optional<String> notReadyReason() {
    return current != null ? Optional.empty() : Optional.ofNullable(notReady);
  }

  public Optional<Snapshot> snapshot() {
    return Optional.ofNullable(current);
  }

  /** The current snapshot, or {@link NotReadyException} before any table was loaded. */
  public Snapshot require() {
    Snapshot s = current;
    if (s == null) {
      refresh("request");
      s = current;
      if (s == null) {
        throw new NotReadyException("no routing table yet: " + notReady);
      }
    }
    return s;
  }

  /**
   * Reloads the table if any reachable shard has a newer one. Returns the snapshot in use after.
   * Serialized so concurrent STALE replies cause one reload, not one per request.
   */
  public synchronized Snapshot refresh(String trigger) {
    long known = current == null ? 0 : current.epoch();
    RoutingTable newest = null;
    List<String> unreadable = new ArrayList<>();
    for (HostAndPort address : addressesToAsk()) {
      try {
        String json = client(address, null).routingJson();
        if (json == null) {
          continue;
        }
        RoutingTable table = RoutingTableCodec.fromJson(json);
        if (table.epoch() > known && (newest == null || table.epoch() > newest.epoch())) {
          newest = table;
        }
      } catch (ShardException | IllegalArgumentException e) {
        LOG.debug("could not read the routing table from {}: {}", address, e.getMessage());
        unreadable.add(address + " (" + e.getMessage() + ")");
      }
    }
    if (newest == null && current == null) {
      // The messages are Redis's error replies or the connection's errors: never a password.
      String why = unreadable.isEmpty() ? "no shard among " + config.seeds() + " has published one"
          : "the routing table could not be read from " + String.join(", ", unreadable);
      if (!why.equals(notReady)) {
        LOG.warn("not ready: {}", why);
        notReady = why;
      }
    }
    if (newest != null) {
      install(newest);
      notReady = null;
      metrics.tableRefreshed(trigger, newest.epoch());
      LOG.info("routing table epoch {} ({} shards) loaded on {}", newest.epoch(), newest.shards().size(), trigger);
    }
    return current;
  }

  /**
   * Waits until a table newer than {@code epoch} is installed, reloading every few milliseconds
   * (announcements usually arrive first), for at most {@code max}. Used while a moving bucket's
   * writes are fenced for its switch. Returns the snapshot in use after.
   */
  public Snapshot awaitNewerThan(long epoch, java.time.Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    Snapshot s = current;
    while ((s == null || s.epoch() <= epoch) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(FENCE_POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      s = current;
      if (s == null || s.epoch() <= epoch) {
        s = refresh("fence");
      }
    }
    return s;
  }

  /** How often a write waiting at a fence looks for the next table. */
  private static final long FENCE_POLL_MILLIS = 5;

  private List<HostAndPort> addressesToAsk() {
    Map<String, HostAndPort> addresses = new LinkedHashMap<>();
    if (current != null) {
      current.table().shards().forEach(s -> addresses.put(s.address(), new HostAndPort(s.host(), s.port())));
    }
    config.seeds().forEach(s -> addresses.putIfAbsent(s.getHost() + ":" + s.getPort(), s));
    return new ArrayList<>(addresses.values());
  }

  private void install(RoutingTable table) {
    List<ShardClient> clients = table.shards().stream()
        .map(s -> client(new HostAndPort(s.host(), s.port()), s))
        .toList();
    current = new Snapshot(table, clients);
    // A shard that left (drained by a scale-down) may come back at the same address as a new,
    // empty server: its old pooled connections would be dead then. So clients of addresses no
    // longer in the table go, once requests on the previous snapshot are done with them.
    java.util.Set<String> listed = new java.util.HashSet<>();
    table.shards().forEach(s -> listed.add(s.host() + ":" + s.port()));
    clientsByAddress.entrySet().removeIf(e -> {
      if (listed.contains(e.getKey())) {
        return false;
      }
      retire(e.getValue());
      return true;
    });
  }

  /**
   * The pooled client of an address. Clients are shared across tables by address, so in-flight
   * requests on an older snapshot keep working while a new table is installed.
   */
  private ShardClient client(HostAndPort address, ShardEndpoint endpoint) {
    String key = address.getHost() + ":" + address.getPort();
    ShardClient existing = clientsByAddress.get(key);
    if (existing != null && (endpoint == null || existing.endpoint().equals(endpoint))) {
      return existing;
    }
    ShardEndpoint named = endpoint != null ? endpoint
        : new ShardEndpoint(-1, "seed-" + key, address.getHost(), address.getPort());
    ShardClient created = new ShardClient(named, config.credentials(), config.shardTimeout(), config.maxConnectionsPerShard());
    ShardClient previous = clientsByAddress.put(key, created);
    if (previous != null) {
      retire(previous);
    }
    return created;
  }

  /**
   * Closes a client no table lists any more once requests still holding it are done (they finish
   * within a shard timeout), or when this router closes, whichever comes first: a router closed
   * before the delay must not leave its connections open (the seed client a bootstrap replaces).
   */
  private void retire(ShardClient client) {
    retiring.add(client);
    scheduler.schedule(() -> {
      if (retiring.remove(client)) {
        client.close();
      }
    }, config.shardTimeout().toMillis() * 2 + 1000, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    if (watcher != null) {
      watcher.close();
    }
    scheduler.shutdownNow();
    clientsByAddress.values().forEach(ShardClient::close);
    retiring.forEach(ShardClient::close);
    retiring.clear();
  }
}
