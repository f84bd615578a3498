package io.vectorshard.core.redis;

import io.vectorshard.core.routing.ShardEndpoint;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisFactory;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The pooled connections to one shard and the one way this package runs a command on them: under a
 * deadline, with Redis failures turned into this package's exceptions. {@link ShardClient} (the data
 * path) and {@link ShardAdmin} (the control plane's calls) are built on it, so no Jedis type reaches
 * their callers.
 *
 * <p>The deadline is the timeout given at construction (or {@link #withTimeout}), from the call's
 * start: it bounds the wait for a pooled connection, and the socket timeout of the call's reads is set
 * to the time left. So a caller may run a call on its own thread and still keep its deadline.
 */
public final class ShardConnections implements AutoCloseable {
  private final ShardEndpoint endpoint;
  private final JedisPool pool;
  private final Duration timeout;
  /** Every shard of a cluster has the same users; MIGRATE presents these to the target. */
  private final ShardCredentials credentials;
  /** False for a {@link #withTimeout} view: the pool belongs to the connections it was made from. */
  private final boolean ownsPool;

  ShardConnections(ShardEndpoint endpoint, ShardCredentials credentials, Duration timeout, int maxConnections,
      boolean validateOnBorrow) {
    this.endpoint = endpoint;
    this.timeout = timeout;
    this.credentials = credentials;
    this.ownsPool = true;
    GenericObjectPoolConfig<Jedis> poolConfig = new GenericObjectPoolConfig<>();
    poolConfig.setMaxTotal(maxConnections);
    poolConfig.setMaxIdle(maxConnections);
    poolConfig.setTestOnBorrow(validateOnBorrow);
    poolConfig.setMaxWait(timeout);
    poolConfig.setJmxEnabled(false);
    int millis = (int) timeout.toMillis();
    this.pool = new JedisPool(poolConfig, new ConnectionFactory(
        new DeadlineSocketFactory(new HostAndPort(endpoint.host(), endpoint.port()), millis),
        clientConfig(credentials, millis, millis, "vectorshard")));
  }

  private ShardConnections(ShardConnections base, Duration timeout) {
    this.endpoint = base.endpoint;
    this.pool = base.pool;
    this.timeout = timeout;
    this.credentials = base.credentials;
    this.ownsPool = false;
  }

  /**
   * The connection settings of every vectorshard connection to Redis, for the few places that hold
   * a single connection of their own (the routing watcher's subscription, start-up probes, tools).
   * RESP2 is fixed because the replies of raw commands (VSIM, VEMB) are parsed as RESP2 arrays.
   */
  public static JedisClientConfig clientConfig(ShardCredentials credentials, int connectMillis, int socketMillis,
      String name) {
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(connectMillis).socketTimeoutMillis(socketMillis).clientName(name)
        .protocol(RedisProtocol.RESP2);
    if (credentials.authenticates()) {
      config.user(credentials.user()).password(credentials.password());
    }
    return config.build();
  }

  /** The same pool with another deadline per call. Closing the view leaves the pool open. */
  ShardConnections withTimeout(Duration callTimeout) {
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException("a shard call timeout must be positive, got " + callTimeout);
    }
    return callTimeout.equals(timeout) ? this : new ShardConnections(this, callTimeout);
  }

  Duration timeout() {
    return timeout;
  }

  ShardCredentials credentials() {
    return credentials;
  }

  ShardEndpoint endpoint() {
    return endpoint;
  }

  String id() {
    return endpoint.id();
  }

  /**
   * Runs a command with a pooled connection under this deadline, turning Redis failures into
   * {@link ShardException} (naming the shard, and whether it timed out) or {@link StaleEpochException}.
   */
  <T> T call(Function<Jedis, T> command) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Jedis jedis = null;
    try {
      jedis = borrow(deadline);
      // Java sockets keep SO_TIMEOUT in the JVM (no system call), so setting it on every call is cheap.
      jedis.getConnection().setSoTimeout(millisLeft(deadline));
      return command.apply(jedis);
    } catch (JedisDataException e) {
      String message = e.getMessage() == null ? "" : e.getMessage();
      if (message.startsWith("STALE ")) {
        throw new StaleEpochException(id(), Long.parseLong(message.substring(6).trim()));
      }
      // The shard's state (LOADING, BUSY) or the client's rights, not the command: the shard's
      // failure, not a bug. Anything else (a syntax error) stays a bug and surfaces as such.
      ShardException.Reason reason = ShardException.Reason.ofReply(message).orElseThrow(() -> e);
      throw new ShardException(id(), reason, message, e);
    } catch (JedisConnectionException e) {
      if (timedOut(e)) {
        throw new ShardException(id(), ShardException.Reason.TIMEOUT, "timed out after " + timeout.toMillis() + " ms", e);
      }
      throw new ShardException(id(), ShardException.Reason.UNREACHABLE, String.valueOf(e.getMessage()), e);
    } catch (JedisException e) {
      throw new ShardException(id(), ShardException.Reason.FAILED, String.valueOf(e.getMessage()), e);
    } finally {
      if (jedis != null) {
        giveBack(jedis);
      }
    }
  }

  /**
   * Whether a connection failure was a socket timeout: a read's is the exception's cause, but a
   * connect's is suppressed under Jedis's "Failed to connect to any host", one per address tried.
   */
  private static boolean timedOut(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause()) {
      if (e instanceof java.net.SocketTimeoutException) {
        return true;
      }
      for (Throwable suppressed : e.getSuppressed()) {
        if (suppressed instanceof java.net.SocketTimeoutException) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A pooled connection, waiting at most until the deadline for one to be free, and opening one (if
   * the pool must) within the deadline too.
   */
  private Jedis borrow(long deadline) {
    DeadlineSocketFactory.set(deadline);
    try {
      return pool.borrowObject(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    } catch (NoSuchElementException e) {
      throw new ShardException(id(), ShardException.Reason.TIMEOUT, "no free connection within " + timeout.toMillis() + " ms", e);
    } catch (RuntimeException e) {
      throw e; // a failed connect: JedisConnectionException, translated by call()
    } catch (Exception e) {
      throw new ShardException(id(), ShardException.Reason.FAILED, String.valueOf(e), e);
    } finally {
      DeadlineSocketFactory.clear();
    }
  }

  /** Jedis's factory of pooled connections, with the socket factory above (its constructor is protected). */
  private static final class ConnectionFactory extends JedisFactory {
    ConnectionFactory(DeadlineSocketFactory sockets, JedisClientConfig config) {
      super(sockets, config);
    }
  }

  /**
   * What {@code Jedis.close()} does for a connection taken with {@code getResource()}, except for a
   * broken connection: commons-pool opens its replacement at once on the returning thread, which
   * against a stalled shard would hold the caller up to the connect and socket timeouts, past its
   * deadline. So a broken connection is handed back on a virtual thread of its own (failures are
   * rare; the shard's state is reported by the call that broke it).
   */
  private void giveBack(Jedis jedis) {
    if (!jedis.isBroken()) {
      pool.returnResource(jedis);
      return;
    }
    Thread.ofVirtual().name("vsc-pool-" + id()).start(() -> {
      try {
        pool.returnBrokenResource(jedis);
      } catch (JedisException replacementFailed) {
        // The broken connection is destroyed either way; the shard is still down or stalled.
      }
    });
  }

  /** Socket timeout for the time left; never 0, which would mean no timeout at all. */
  private static int millisLeft(long deadline) {
    long nanos = deadline - System.nanoTime();
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (nanos + 999_999) / 1_000_000));
  }

  @Override
  public void close() {
    if (ownsPool) {
      pool.close();
    }
  }
}
