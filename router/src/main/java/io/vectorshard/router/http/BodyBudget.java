package io.vectorshard.router.http;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.concurrent.Semaphore;

/**
 * The request bodies held in memory at once, across requests: a share of the heap, so concurrent
 * large bodies get 503 instead of an {@code OutOfMemoryError} (24 bodies of 31 MB each exhausted a
 * 512 MB heap before). A body is counted twice, its bytes and what it is parsed into, from before
 * it is read ({@link AsyncBody}) until its handler ends ({@link Routes} releases it).
 */
final class BodyBudget {
  private static final String HELD = "vsc.bodyBudgetKiB";
  private final Semaphore kib;
  private final long bytes;

  BodyBudget(long bytes) {
    this.bytes = bytes;
    this.kib = new Semaphore((int) Math.min(Integer.MAX_VALUE, Math.max(1, bytes / 1024)));
  }

  /** Reserves room for {@code bodyBytes} more of this request's body, or refuses it with 503. */
  void reserve(Context ctx, long bodyBytes) {
    int wanted = (int) Math.min(Integer.MAX_VALUE, (2 * bodyBytes + 1023) / 1024);
    if (wanted == 0) {
      return;
    }
    if (!kib.tryAcquire(wanted)) {
      ctx.header("Retry-After", "1");
      throw new HttpResponseException(503, "the router holds " + bytes / (1024 * 1024) + " MiB of request bodies "
          + "at once at most (VSC_ROUTER_MAX_BODY_MEMORY_BYTES) and has no room for this one; retry shortly");
    }
    Integer held = ctx.attribute(HELD);
    ctx.attribute(HELD, (held == null ? 0 : held) + wanted);
  }

  /** Gives back what the request's body held, once its handler is done. */
  void release(Context ctx) {
    Integer held = ctx.attribute(HELD);
    if (held != null) {
      ctx.attribute(HELD, null);
      kib.release(held);
    }
  }
}
