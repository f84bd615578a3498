package io.vectorshard.core.routing;

import io.vectorshard.core.redis.ShardConnections;
import io.vectorshard.core.redis.Keys;
import io.vectorshard.core.redis.ShardClient;
import io.vectorshard.core.redis.ShardCredentials;
import java.time.Duration;
import java.util.List;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * Listens for epoch announcements on the {@code vsc:routing} channel of one reachable shard and
 * reports each announced epoch. When that shard goes away it moves on to the next address, so a
 * router keeps hearing about table changes while any shard is up. Announcements are a fast path
 * only: routers also learn of new epochs from STALE replies and epoch checks on reads.
 */
public final class RoutingWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RoutingWatcher.class);

  private final List<HostAndPort> addresses;
  private final ShardCredentials credentials;
  private final LongConsumer onEpoch;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile JedisPubSub subscription;
  /** The connection in use, so {@link #close} can cut a read that interrupting the thread would not. */
  private volatile Jedis connection;

  public RoutingWatcher(List<HostAndPort> addresses, ShardCredentials credentials, LongConsumer onEpoch) {
    this.addresses = List.copyOf(addresses);
    this.credentials = credentials;
    this.onEpoch = onEpoch;
    // A platform thread: one virtual thread would bring the JDK's scheduler and poller threads (four
    // in all on 2 cores) into every sidecar for a thread that only waits on one socket.
    this.thread = Thread.ofPlatform().daemon().name("routing-watcher").unstarted(this::run);
  }

  public RoutingWatcher start() {
    thread.start();
    return this;
  }

  private void run() {
    int next = 0;
    Duration backoff = Duration.ofMillis(100);
    while (running) {
      HostAndPort address = addresses.get(next++ % addresses.size());
      // The connect and login have a socket timeout; subscribing lifts it (Jedis sets the timeout
      // infinite for a subscription, which is silent until the next announcement).
      try (Jedis jedis = new Jedis(address, ShardConnections.clientConfig(credentials, 1000, 1000, "vectorshard-watcher"))) {
        JedisPubSub pubSub = new JedisPubSub() {
          @Override
          public void onSubscribe(String channel, int subscribedChannels) {
            // Anything announced before we subscribed is caught by asking once subscribed.
            onEpoch.accept(-1);
          }

          @Override
          public void onMessage(String channel, String message) {
            try {
              onEpoch.accept(Long.parseLong(message.trim()));
            } catch (NumberFormatException e) {
              LOG.warn("ignoring malformed routing announcement on {}", address);
            }
          }
        };
        subscription = pubSub;
        connection = jedis;
        backoff = Duration.ofMillis(100);
        if (!running) {
          return; // closed while connecting: close() may have missed this connection
        }
        jedis.subscribe(pubSub, Keys.ROUTING_CHANNEL);
      } catch (RuntimeException e) {
        if (running) {
          LOG.debug("routing watcher lost {}: {}", address, e.getMessage());
          sleep(backoff);
          backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(2)) > 0 ? Duration.ofSeconds(2) : backoff.multipliedBy(2);
        }
      }
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    JedisPubSub s = subscription;
    if (s != null && s.isSubscribed()) {
      try {
        s.unsubscribe();
      } catch (RuntimeException ignored) {
        // the connection is already gone
      }
    }
    // A platform thread blocked in a socket read ignores interrupts: disconnecting ends the read
    // (a subscription not yet confirmed, a login still under way).
    Jedis jedis = connection;
    if (jedis != null) {
      try {
        jedis.disconnect();
      } catch (RuntimeException ignored) {
        // already gone
      }
    }
    thread.interrupt();
  }
}
