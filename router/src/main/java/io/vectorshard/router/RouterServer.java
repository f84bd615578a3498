package io.vectorshard.router;

import io.vectorshard.router.http.RouterHttp;
import io.vectorshard.router.metrics.RouterMetrics;
import io.vectorshard.router.query.Searcher;
import io.vectorshard.router.routing.Routing;
import io.vectorshard.router.shard.FanOut;
import io.vectorshard.router.write.Writer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;

/** One router: routing state, the write and query paths, and the HTTP server in front of them. */
public final class RouterServer implements AutoCloseable {
  private final RouterConfig config;
  private final RouterMetrics metrics;
  /**
   * Threads for the shard calls a fan-out forks (the caller makes one call itself). Platform threads:
   * a blocking socket read on one is a plain system call, whereas a virtual thread parks, goes
   * through the JDK's poller and is rescheduled on a carrier, several context switches per read
   * (measured: 23 vs 14 per 4-shard query). Their number is bounded by the HTTP threads times the
   * shards, and idle ones exit after a minute.
   */
  private final ExecutorService shardCalls =
      Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("shard-call-", 0).factory());
  private final Routing routing;
  private final RouterHttp http;

  private RouterServer(RouterConfig config, RouterMetrics metrics, Routing routing) {
    this.config = config;
    this.metrics = metrics;
    this.routing = routing;
    FanOut fanOut = new FanOut(metrics, shardCalls, config.limits().searchBudgetPerShard(), config.shardTimeout());
    Writer writer = new Writer(routing, metrics, fanOut);
    Searcher searcher = new Searcher(routing, metrics, fanOut, config.limits());
    this.http = RouterHttp.create(config, routing, writer, searcher, metrics);
  }

  /**
   * Starts a router: loads the table if one is published and serves HTTP, and returns when both are
   * done. The two halves of start-up run side by side: the table's first load (a Redis round trip,
   * Jackson's first binding of the table) on one thread, the HTTP server's creation and start on
   * this one; one after the other they were most of a sidecar's time to ready.
   */
  public static RouterServer start(RouterConfig config) {
    RouterMetrics metrics = new RouterMetrics();
    Routing routing = new Routing(config, metrics);
    FutureTask<Routing> bootstrap = new FutureTask<>(routing::start);
    Thread.ofPlatform().name("routing-bootstrap").start(bootstrap);
    RouterServer server = new RouterServer(config, metrics, routing);
    RuntimeException failed = null;
    try {
      server.http.start(); // at config.host() and config.port()
    } catch (RuntimeException e) {
      failed = e; // a port in use, say: stop what the bootstrap starts too, once it has
    }
    try {
      bootstrap.get();
    } catch (ExecutionException e) {
      if (failed == null) {
        failed = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException("routing did not start", e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (failed == null) {
        failed = new IllegalStateException("interrupted while the routing table loaded", e);
      }
    }
    if (failed != null) {
      server.close();
      throw failed;
    }
    return server;
  }

  /** The HTTP port actually bound (differs from the config when it asked for port 0). */
  public int port() {
    return http.port();
  }

  public Routing routing() {
    return routing;
  }

  public RouterMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    try {
      http.close(); // Jetty's stop can throw after a failed start; the rest is closed regardless
    } finally {
      routing.close();
      shardCalls.shutdownNow();
    }
  }
}
