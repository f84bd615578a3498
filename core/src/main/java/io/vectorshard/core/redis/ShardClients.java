package io.vectorshard.core.redis;

import io.vectorshard.core.routing.ShardEndpoint;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client per shard of a cluster, made on first use and then kept. The operator reads and
 * publishes to the same shards on every reconcile; opening a client per shard per reconcile would
 * reconnect and re-authenticate each time. Kept connections are checked (PING) before each use and
 * replaced when the shard restarted meanwhile, so the first call after a restart does not fail.
 */
public final class ShardClients implements AutoCloseable {
  private final ShardCredentials credentials;
  private final Duration timeout;
  private final Map<ShardEndpoint, ShardClient> clients = new ConcurrentHashMap<>();

  public ShardClients(ShardCredentials credentials, Duration timeout) {
    this.credentials = credentials;
    this.timeout = timeout;
  }

  public ShardClient get(ShardEndpoint endpoint) {
    return clients.computeIfAbsent(endpoint, e -> new ShardClient(e, credentials, timeout, 1, true));
  }

  /** Whether these clients authenticate as {@code credentials} (a rotated password needs new ones). */
  public boolean authenticatesAs(ShardCredentials credentials) {
    return Objects.equals(this.credentials, credentials);
  }

  /** Closes the clients of shards that are no longer among {@code endpoints}. */
  public void retainOnly(Collection<ShardEndpoint> endpoints) {
    Set<ShardEndpoint> keep = Set.copyOf(endpoints);
    clients.keySet().removeIf(e -> {
      if (keep.contains(e)) {
        return false;
      }
      clients.get(e).close();
      return true;
    });
  }

  public int size() {
    return clients.size();
  }

  @Override
  public void close() {
    clients.values().forEach(ShardClient::close);
    clients.clear();
  }
}
