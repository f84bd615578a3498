package io.vectorshard.router;

/**
 * What the router's HTTP layer gives its clients at most, so no client, however slow or large its
 * requests, can take the router from the others (README.md, "Router configuration").
 *
 * @param maxRequestBytes largest request body (413 beyond)
 * @param maxConnections open client connections; past it Jetty stops accepting until one closes
 * @param threads Jetty's request threads (a request's shard call runs on its thread)
 * @param minRequestBytesPerSecond a body arriving slower than this on average, after a second's
 *     grace, is cut off (400): a trickling upload holds a connection while it lasts
 * @param maxBodyMemoryBytes request bodies held in memory at once across all requests, each
 *     counted twice (its bytes and what it is parsed into); a body that does not fit is refused with
 *     503 before it is read, never an {@code OutOfMemoryError}
 */
public record HttpLimits(long maxRequestBytes, int maxConnections, int threads, long minRequestBytesPerSecond,
    long maxBodyMemoryBytes) {

  public HttpLimits {
    if (maxRequestBytes < 1 || maxConnections < 1 || threads < 4 || minRequestBytesPerSecond < 0 || maxBodyMemoryBytes < 1) {
      throw new IllegalArgumentException("invalid HTTP limits: " + this);
    }
  }

  /**
   * The defaults: a quarter of the heap for bodies, bodies up to 32 MiB or half that budget (one
   * body counts twice, so one such body always fits), 512 connections, 32 threads (a sidecar serves
   * one pod), 16 KiB/s at least.
   */
  public static HttpLimits defaults() {
    long budget = Runtime.getRuntime().maxMemory() / 4;
    return new HttpLimits(Math.min(32L * 1024 * 1024, budget / 2), 512, 32, 16 * 1024, budget);
  }

  public HttpLimits withMaxRequestBytes(long bytes) {
    return new HttpLimits(bytes, maxConnections, threads, minRequestBytesPerSecond, maxBodyMemoryBytes);
  }
}
