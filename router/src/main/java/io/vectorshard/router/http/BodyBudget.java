package io.vectorshard.router.http;

import java.util.concurrent.Semaphore;

/**
 * The request bodies held in memory at once, across requests: a share of the heap, so concurrent
 * large bodies get 503 instead of an {@code OutOfMemoryError} (24 bodies of 31 MB each exhausted a
 * 512 MB heap before). A body is counted twice, its bytes and what it is parsed into, from before
 * it is read ({@link AsyncBody}) until its handler ends ({@link RouterHttp} releases it).
 */
final class BodyBudget {
  private final Semaphore kib;
  private final long bytes;

  BodyBudget(long bytes) {
    this.bytes = bytes;
    this.kib = new Semaphore((int) Math.min(Integer.MAX_VALUE, Math.max(1, bytes / 1024)));
  }

  /**
   * Reserves room for {@code bodyBytes} more of this request's body, or refuses it with 503. The
   * request's bytes are counted together and rounded up to a KiB once, so a body sent in tiny chunks
   * reserves what it holds, not a KiB per chunk.
   */
  void reserve(Exchange exchange, long bodyBytes) {
    long total = exchange.heldBytes + bodyBytes;
    int wanted = (int) Math.min(Integer.MAX_VALUE, (2 * total + 1023) / 1024 - exchange.heldKiB);
    if (wanted <= 0) {
      exchange.heldBytes = total;
      return;
    }
    if (!kib.tryAcquire(wanted)) {
      throw new HttpError(503, "the router holds " + bytes / (1024 * 1024) + " MiB of request bodies "
          + "at once at most (VSC_ROUTER_MAX_BODY_MEMORY_BYTES) and has no room for this one; retry shortly", true);
    }
    exchange.heldKiB += wanted;
    exchange.heldBytes = total;
  }

  /** Gives back what the request's body held, once its handler is done; nothing the second time. */
  void release(Exchange exchange) {
    int held = exchange.heldKiB;
    exchange.heldKiB = 0;
    exchange.heldBytes = 0;
    if (held > 0) {
      kib.release(held);
    }
  }
}
