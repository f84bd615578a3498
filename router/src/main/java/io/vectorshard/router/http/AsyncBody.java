package io.vectorshard.router.http;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/**
 * Reads a request body without holding a thread while it arrives: it takes what Jetty has, and when
 * that is not all, asks to be called again when more comes ({@link Request#demand}) and returns the
 * thread. A body that came with its headers, as a query's usually does, is so read at once on the
 * request's thread, and its handler runs there; a body still on its way runs its handler on the
 * thread that read its last bytes. So uploads that trickle in, however many, cannot take the threads
 * every other request needs; each holds a connection only, and those are bounded.
 *
 * <p>A body arriving slower than the minimum rate on average (checked as its bytes come, after a
 * second's grace) is cut off; one that stops arriving for {@link #STALL_MILLIS} too, when a minimum
 * rate is set (otherwise at the connector's idle timeout). Its memory is
 * reserved in the {@link BodyBudget} before it is read (piece by piece when its length is not
 * declared).
 */
final class AsyncBody implements Runnable {
  private static final long GRACE_NANOS = 1_000_000_000L;
  /**
   * While a body is awaited and a minimum rate is set, the longest its connection may stay silent
   * (instead of the connector's idle timeout, 30 s): a body reserves its declared length in the
   * {@link BodyBudget} before it arrives, so one that never comes would hold that share for 30 s,
   * and a few such clients could keep every other body out.
   */
  static final long STALL_MILLIS = 2_000;

  private final Exchange exchange;
  private final BodyBudget budget;
  private final long declared;
  private final long maxBytes;
  private final long minBytesPerSecond;
  private final Consumer<byte[]> then;
  private final Consumer<Throwable> failed;
  /** The body when its length is declared; its pieces otherwise, joined once the last arrives. */
  private final byte[] sized;
  private final List<byte[]> pieces;
  private int size;
  private final long start = System.nanoTime();
  /** The connection's idle timeout before {@link #STALL_MILLIS} replaced it; -1 while it has not. */
  private long idleTimeout = -1;

  private AsyncBody(Exchange exchange, long declared, BodyBudget budget, long maxBytes, long minBytesPerSecond,
      Consumer<byte[]> then, Consumer<Throwable> failed) {
    this.exchange = exchange;
    this.budget = budget;
    this.declared = declared;
    this.maxBytes = maxBytes;
    this.minBytesPerSecond = minBytesPerSecond;
    this.then = then;
    this.failed = failed;
    this.sized = declared >= 0 ? new byte[(int) declared] : null;
    this.pieces = declared >= 0 ? null : new ArrayList<>();
  }

  /**
   * Reads the body, then hands it to {@code then}; or hands the client's error (400, 413, 503) to
   * {@code failed}. Either runs on this thread if the body is all here already.
   */
  static void read(Exchange exchange, BodyBudget budget, long maxBytes, long minBytesPerSecond, Consumer<byte[]> then,
      Consumer<Throwable> failed) {
    long declared = exchange.request().getLength(); // over the limit: refused by RequestGuard already
    try {
      if (declared > 0) {
        budget.reserve(exchange, declared);
      }
    } catch (RuntimeException e) {
      failed.accept(e);
      return;
    }
    new AsyncBody(exchange, declared, budget, maxBytes, minBytesPerSecond, then, failed).run();
  }

  /** Takes every piece Jetty has; runs again, on demand, when more arrives. */
  @Override
  public void run() {
    byte[] body;
    try {
      body = readAvailable();
    } catch (Throwable e) {
      // Anything, an OutOfMemoryError too: on a thread that delivers more of the body, a throwable
      // left to Jetty would leave the request unanswered and its budget held for good.
      restoreIdleTimeout();
      failed.accept(e);
      return;
    }
    if (body != null) {
      restoreIdleTimeout();
      then.accept(body); // which answers every failure itself
    }
  }

  /** The whole body once its last piece is read; null when more is to come (a demand is registered). */
  private byte[] readAvailable() {
    Request request = exchange.request();
    while (true) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        checkRate();
        awaitWithin(STALL_MILLIS);
        request.demand(this);
        return null;
      }
      if (Content.Chunk.isFailure(chunk)) {
        throw unreadable(chunk.getFailure());
      }
      boolean last = chunk.isLast(); // a chunk is not to be read once released
      try {
        take(chunk.getByteBuffer());
      } finally {
        chunk.release();
      }
      if (last) {
        if (declared >= 0 && size < declared) {
          throw new BadRequestException("the request body ended after " + size + " of its " + declared + " bytes");
        }
        return sized != null ? sized : joined();
      }
    }
  }

  /** Shortens the connection's idle timeout while the rest of the body is awaited (see {@link #STALL_MILLIS}). */
  private void awaitWithin(long millis) {
    if (idleTimeout < 0 && minBytesPerSecond > 0) {
      EndPoint endPoint = exchange.request().getConnectionMetaData().getConnection().getEndPoint();
      idleTimeout = endPoint.getIdleTimeout();
      endPoint.setIdleTimeout(Math.min(idleTimeout, millis));
    }
  }

  private void restoreIdleTimeout() {
    if (idleTimeout >= 0) {
      exchange.request().getConnectionMetaData().getConnection().getEndPoint().setIdleTimeout(idleTimeout);
      idleTimeout = -1;
    }
  }

  private void take(ByteBuffer piece) {
    int n = piece.remaining();
    if (n == 0) {
      return;
    }
    if (size + (long) n > maxBytes || (sized != null && size + n > sized.length)) {
      throw RequestGuard.tooLarge(maxBytes);
    }
    if (sized != null) {
      piece.get(sized, size, n);
    } else {
      budget.reserve(exchange, n);
      byte[] copy = new byte[n];
      piece.get(copy);
      pieces.add(copy);
    }
    size += n;
  }

  /** The pieces in one array: at most twice the body at once, as the budget counts it. */
  private byte[] joined() {
    byte[] body = new byte[size];
    int at = 0;
    for (byte[] piece : pieces) {
      System.arraycopy(piece, 0, body, at, piece.length);
      at += piece.length;
    }
    pieces.clear();
    return body;
  }

  private void checkRate() {
    long elapsed = System.nanoTime() - start;
    if (minBytesPerSecond > 0 && elapsed > GRACE_NANOS && size < minBytesPerSecond * (elapsed / 1e9)) {
      throw new BadRequestException("the request body could not be read: it arrives at "
          + (long) (size / (elapsed / 1e9)) + " bytes/s, below the minimum of " + minBytesPerSecond
          + " (VSC_ROUTER_MIN_REQUEST_BYTES_PER_SECOND)");
    }
  }

  /** Jetty's own failures of a body: broken chunked framing, a connection closed early, an idle timeout. */
  private static BadRequestException unreadable(Throwable e) {
    String message = e instanceof BadMessageException bad ? bad.getReason() : e.getMessage();
    return new BadRequestException("the request body could not be read: "
        + (message == null || message.isBlank() ? e.getClass().getSimpleName() : message));
  }
}
