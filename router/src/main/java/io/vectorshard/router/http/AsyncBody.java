package io.vectorshard.router.http;

import io.javalin.http.Context;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.http.BadMessageException;

/**
 * Reads a request body without holding a request thread while it arrives (the servlet API's
 * non-blocking reads): a thread runs only when bytes are there to take. So uploads that trickle in,
 * however many, cannot take the threads every other request needs; each holds a connection only,
 * and those are bounded. A body arriving slower than the minimum rate on average (checked as its
 * bytes come, after a second's grace) is cut off; one that stops arriving ends at the idle timeout.
 * The body's memory is reserved in the {@link BodyBudget} before it is read (piece by piece when its
 * length is not declared).
 */
final class AsyncBody {
  private static final long GRACE_NANOS = 1_000_000_000L;
  /**
   * The largest body {@link #readIfArrived} takes at once, and the most the listener reads at a time
   * (a body with a smaller declared length: its length).
   */
  private static final int PIECE_BYTES = 64 * 1024;

  private AsyncBody() {}

  /**
   * The whole body if all of it is already here, read on this thread; {@code null} if not. A query's
   * body usually comes in the packet its headers came in, and reading it at once saves the hand-off
   * to the thread that a non-blocking read's listener runs on and back (about a tenth of the
   * router's CPU per query). Jetty's {@code available()} reports the bytes it holds or can take from
   * the socket without waiting, so a body still on its way never holds this thread.
   */
  static byte[] readIfArrived(Context ctx, BodyBudget budget) {
    long declared = ctx.req().getContentLengthLong(); // over the limit: refused by RequestGuard already
    if (declared <= 0 || declared > PIECE_BYTES) {
      return null;
    }
    try {
      ServletInputStream in = ctx.req().getInputStream();
      if (in.available() < declared) {
        return null;
      }
      budget.reserve(ctx, declared);
      byte[] body = new byte[(int) declared];
      int read = in.readNBytes(body, 0, body.length);
      if (read < declared) {
        throw new BadRequestException("the request body ended after " + read + " of its " + declared + " bytes");
      }
      return body;
    } catch (IOException | BadMessageException e) {
      throw unreadable(e);
    }
  }

  /** The whole body, once read; completes exceptionally with the client's error (400, 413, 503) otherwise. */
  static CompletableFuture<byte[]> read(Context ctx, BodyBudget budget, long maxBytes, long minBytesPerSecond) {
    CompletableFuture<byte[]> body = new CompletableFuture<>();
    long declared = ctx.req().getContentLengthLong(); // over the limit: refused by RequestGuard already
    try {
      if (declared > 0) {
        budget.reserve(ctx, declared);
      }
      ServletInputStream in = ctx.req().getInputStream();
      in.setReadListener(new Reader(ctx, in, body, budget, declared, maxBytes, minBytesPerSecond));
    } catch (IOException | RuntimeException e) {
      body.completeExceptionally(e instanceof RuntimeException r ? r : unreadable(e));
    }
    return body;
  }

  private static BadRequestException unreadable(Throwable e) {
    String message = e instanceof BadMessageException bad ? bad.getReason() : e.getMessage();
    return new BadRequestException("the request body could not be read: "
        + (message == null || message.isBlank() ? e.getClass().getSimpleName() : message));
  }

  private static final class Reader implements ReadListener {
    private final Context ctx;
    private final ServletInputStream in;
    private final CompletableFuture<byte[]> body;
    private final BodyBudget budget;
    private final long declared;
    private final long maxBytes;
    private final long minBytesPerSecond;
    private final ByteArrayOutputStream bytes;
    private final byte[] piece;
    private final long start = System.nanoTime();

    Reader(Context ctx, ServletInputStream in, CompletableFuture<byte[]> body, BodyBudget budget, long declared,
        long maxBytes, long minBytesPerSecond) {
      this.ctx = ctx;
      this.in = in;
      this.body = body;
      this.budget = budget;
      this.declared = declared;
      this.maxBytes = maxBytes;
      this.minBytesPerSecond = minBytesPerSecond;
      this.bytes = new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024);
      this.piece = new byte[(int) Math.min(PIECE_BYTES, declared > 0 ? declared : PIECE_BYTES)];
    }

    @Override
    public void onDataAvailable() throws IOException {
      try {
        while (!body.isDone() && in.isReady()) {
          int n = in.read(piece);
          if (n < 0) {
            return;
          }
          if (declared < 0) {
            budget.reserve(ctx, n);
          }
          bytes.write(piece, 0, n);
          if (bytes.size() > maxBytes) {
            throw RequestGuard.tooLarge(maxBytes);
          }
        }
        long elapsed = System.nanoTime() - start;
        if (!body.isDone() && minBytesPerSecond > 0 && elapsed > GRACE_NANOS
            && bytes.size() < minBytesPerSecond * (elapsed / 1e9)) {
          throw new BadRequestException("the request body could not be read: it arrives at "
              + (long) (bytes.size() / (elapsed / 1e9)) + " bytes/s, below the minimum of " + minBytesPerSecond
              + " (VSC_ROUTER_MIN_REQUEST_BYTES_PER_SECOND)");
        }
      } catch (BadMessageException e) {
        // Jetty's own: broken chunked framing, a body below its minimum data rate.
        body.completeExceptionally(unreadable(e));
      } catch (RuntimeException e) {
        body.completeExceptionally(e);
      }
    }

    @Override
    public void onAllDataRead() {
      if (declared >= 0 && bytes.size() < declared) {
        body.completeExceptionally(new BadRequestException("the request body ended after " + bytes.size() + " of its "
            + declared + " bytes"));
      } else {
        body.complete(bytes.toByteArray());
      }
    }

    @Override
    public void onError(Throwable t) {
      body.completeExceptionally(unreadable(t));
    }
  }
}
