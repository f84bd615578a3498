package io.vectorshard.core.redis;

import java.net.Socket;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.DefaultJedisSocketFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Opens a pooled connection's socket within the deadline of the call that needs it. A pool opens a
 * connection on the borrowing thread, with timeouts fixed when the pool was made (the shard
 * timeout), and Jedis then logs in over it (AUTH, CLIENT SETNAME): against a stalled shard, whose
 * kernel still accepts connections, that login waited the whole shard timeout whatever a query's own
 * {@code timeoutMs} was. Here the connect and the login's reads get the time the call has left,
 * at most the shard timeout; a connection opened off any call (a replacement on another thread)
 * gets the shard timeout. Jedis's own factory does the connecting.
 */
final class DeadlineSocketFactory implements JedisSocketFactory {
  /** The deadline ({@link System#nanoTime}) of the call running on this thread, while it borrows. */
  private static final ThreadLocal<long[]> DEADLINE = ThreadLocal.withInitial(() -> new long[] {Long.MAX_VALUE});

  private final HostAndPort address;
  private final int timeoutMillis;

  DeadlineSocketFactory(HostAndPort address, int timeoutMillis) {
    this.address = address;
    this.timeoutMillis = timeoutMillis;
  }

  /** Marks the calling thread's deadline until {@link #clear} (a call's borrow runs between them). */
  static void set(long deadlineNanos) {
    DEADLINE.get()[0] = deadlineNanos;
  }

  static void clear() {
    DEADLINE.get()[0] = Long.MAX_VALUE;
  }

  @Override
  public Socket createSocket() throws JedisConnectionException {
    int millis = timeoutMillis;
    long deadline = DEADLINE.get()[0];
    if (deadline != Long.MAX_VALUE) {
      long left = (deadline - System.nanoTime() + 999_999) / 1_000_000;
      millis = (int) Math.max(1, Math.min(timeoutMillis, left));
    }
    return new DefaultJedisSocketFactory(address, DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(millis).socketTimeoutMillis(millis).build()).createSocket();
  }
}
