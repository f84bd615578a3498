package io.vectorshard.router.http;

import io.vectorshard.core.redis.FilterSyntaxException;
import io.vectorshard.core.redis.ShardException;
import io.vectorshard.core.redis.StaleEpochException;
import io.vectorshard.router.HttpLimits;
import io.vectorshard.router.RouterConfig;
import io.vectorshard.router.metrics.RouterMetrics;
import io.vectorshard.router.query.Searcher;
import io.vectorshard.router.routing.NotReadyException;
import io.vectorshard.router.routing.Routing;
import io.vectorshard.router.write.Writer;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's HTTP server: Jetty's core server (no servlets, no framework) with the routes, the
 * error-to-status mapping, probes and metrics. Every error answer is JSON
 * {@code {"status", "error"[, "shard", "reason"]}}; request bodies are never logged (they hold vectors).
 */
public final class RouterHttp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RouterHttp.class);
  static final int ACCEPT_QUEUE = 1024;
  /** Threads Jetty keeps: its acceptor and selector, and two for requests. */
  static final int MIN_IDLE_THREADS = 4;

  private final Server server;
  private final ServerConnector connector;

  private RouterHttp(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  public static RouterHttp create(RouterConfig config, Routing routing, Writer writer, Searcher searcher,
      RouterMetrics metrics) {
    RouterApi api = new RouterApi(config, routing, writer, searcher);
    Routes routes = new Routes()
        .add("PUT", "/v1/tenants/{tenant}/vectors/{id}", api::upsert)
        .add("GET", "/v1/tenants/{tenant}/vectors/{id}", api::get)
        .add("DELETE", "/v1/tenants/{tenant}/vectors/{id}", api::delete)
        .add("POST", "/v1/tenants/{tenant}/vectors:batch", api::batch)
        .add("POST", "/v1/tenants/{tenant}/query", api::tenantQuery)
        .addExact("DELETE", "/v1/tenants/{tenant}", api::dropTenant)
        .add("POST", "/v1/search", api::search)
        .add("POST", "/v1/query", api::articleQuery)
        .add("POST", "/v1/query/multi-shard", api::articleMultiShard)
        .add("GET", "/v1/routing", api::routingTable)
        .add("GET", "/healthz", api::health)
        .add("GET", "/readyz", api::ready)
        .add("GET", "/metrics", exchange -> exchange.send(200, RouterMetrics.contentType(), metrics.scrape()));

    HttpLimits limits = config.http();
    // Jetty's pooled platform threads, not virtual threads: a request's shard call runs on its
    // thread (FanOut), and a blocking Redis read on a virtual thread costs a park, the JDK's poller
    // and a reschedule (measured at c=1: 10 context switches and 0.3 ms of CPU per query, vs 4-5
    // and 0.15-0.2 ms on platform threads). Few threads are kept idle (Jetty keeps 8): a sidecar is
    // idle most of its life; busy, the pool grows.
    QueuedThreadPool threads = new QueuedThreadPool(limits.threads(), MIN_IDLE_THREADS, 60_000);
    threads.setName("http");
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    // The router decodes a path's segments itself, strictly (RequestGuard.pathSegments), and never
    // uses Jetty's decoded path, so what would make that ambiguous is no danger here: an id may hold
    // an encoded slash or dots, and a path that is not UTF-8 gets the router's own 400.
    http.setUriCompliance(UriCompliance.DEFAULT.with("vectorshard",
        UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR, UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT,
        UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT, UriCompliance.Violation.AMBIGUOUS_PATH_PARAMETER,
        UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING, UriCompliance.Violation.BAD_UTF8_ENCODING,
        UriCompliance.Violation.TRUNCATED_UTF8_ENCODING, UriCompliance.Violation.BAD_PERCENT_ENCODING,
        UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS, UriCompliance.Violation.ILLEGAL_PATH_CHARACTERS));
    // Jetty's own minimum data rate is not set: it counts from a body's first byte, so a small body
    // whose last packet comes a few milliseconds after its first is refused. AsyncBody checks the
    // rate itself, after a second's grace.
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(config.host());
    connector.setPort(config.port());
    // The listen backlog: the JDK's default of 50 made 2,000 connects take 22 s.
    connector.setAcceptQueueSize(ACCEPT_QUEUE);
    server.addConnector(connector);
    // Past this many open connections Jetty stops accepting until one closes.
    server.addBean(new NetworkConnectionLimit(limits.maxConnections(), server));
    // Jetty's own refusals (bad headers, URIs too long) in the JSON envelope too.
    server.setErrorHandler(new JsonErrorHandler());
    server.setHandler(new Dispatch(routes, new BodyBudget(limits.maxBodyMemoryBytes()), limits, metrics));
    return new RouterHttp(server, connector);
  }

  /** Listens at the configured host and port, or fails saying why (a port in use, say). */
  public void start() {
    try {
      server.start();
    } catch (Exception e) {
      String cause = e.getCause() != null && e.getCause().getMessage() != null ? ": " + e.getCause().getMessage() : "";
      throw new IllegalStateException("the router cannot listen on " + connector.getHost() + ":" + connector.getPort()
          + " (" + e.getMessage() + cause + ")", e);
    }
  }

  /** The port bound (differs from the config when it asked for port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("the HTTP server did not stop cleanly", e);
    }
  }

  /**
   * Every request: the guard's checks, the route, the body (read without holding a thread while it
   * arrives), the handler; and any failure on the way turned into its status.
   */
  private static final class Dispatch extends Handler.Abstract {
    private final Routes routes;
    private final BodyBudget bodies;
    private final HttpLimits limits;
    private final RouterMetrics metrics;

    Dispatch(Routes routes, BodyBudget bodies, HttpLimits limits, RouterMetrics metrics) {
      this.routes = routes;
      this.bodies = bodies;
      this.limits = limits;
      this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Exchange exchange = new Exchange(request, response, callback, metrics);
      try {
        RequestGuard.check(exchange, limits.maxRequestBytes());
        List<String> path = RequestGuard.pathSegments(exchange.rawPath());
        Routes.Match match = routes.match(exchange.method(), path);
        if (match == null) {
          refuseUnmatched(exchange, path);
          return true;
        }
        exchange.matched(match.route().template(), match.params());
        Routes.Handler handler = match.route().handler();
        if (!match.route().readsBody()) {
          run(exchange, handler);
          return true;
        }
        AsyncBody.read(exchange, bodies, limits.maxRequestBytes(), limits.minRequestBytesPerSecond(), body -> {
          exchange.body(body);
          run(exchange, handler);
        }, failure -> {
          bodies.release(exchange);
          answer(exchange, failure);
        });
      } catch (Throwable e) {
        bodies.release(exchange);
        answer(exchange, e);
      }
      return true;
    }

    private void run(Exchange exchange, Routes.Handler handler) {
      try {
        handler.handle(exchange);
      } catch (Throwable e) {
        answer(exchange, e);
      } finally {
        bodies.release(exchange); // the memory the body held comes back however the handler ended
      }
    }

    private void refuseUnmatched(Exchange exchange, List<String> path) {
      String allowed = routes.allowed(path);
      String where = Requests.cut(exchange.rawPath());
      if (allowed.isEmpty()) {
        fail(exchange, 404, "no such route: " + Requests.cut(exchange.method()) + " " + where, null);
      } else {
        exchange.header("Allow", allowed);
        fail(exchange, 405, "method " + Requests.cut(exchange.method()) + " not allowed on " + where + "; allowed: " + allowed, null);
      }
    }
  }

  /** A failure turned into its answer, unless one is already under way. */
  private static void answer(Exchange exchange, Throwable failure) {
    Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (exchange.sent()) {
      // The answer's write is under way and completes the request; failing it now would cut it off.
      LOG.debug("{} {} failed after its answer was sent", exchange.method(), exchange.route(), e);
      return;
    }
    switch (e) {
      case HttpError error -> {
        if (error.retryable()) {
          exchange.header("Retry-After", "1");
        }
        fail(exchange, error.status(), error.getMessage(), null);
      }
      case FilterSyntaxException bad -> fail(exchange, 400, "invalid filter: " + bad.getMessage(), null);
      // BadRequestException, QueryLimitException, a Names check: the client's input.
      case IllegalArgumentException bad -> fail(exchange, 400, bad.getMessage(), null);
      case NotReadyException notReady -> fail(exchange, 503, notReady.getMessage(), null);
      case StaleEpochException stale -> fail(exchange, 503,
          "the routing table is changing; retry shortly (" + stale.getMessage() + ")", stale.shard());
      // A shard's own failure (down, loading, busy, refusing the router's user) is 503, a missed deadline
      // 504; neither is logged here: ShardHealth logs each shard's state once when it changes.
      // Passing states (loading, a script, this router's bulkhead) tell the client when to retry.
      case ShardException shard -> {
        int status = shard.timeout() ? 504 : 503;
        if (shard.reason() == ShardException.Reason.LOADING || shard.reason() == ShardException.Reason.BUSY
            || shard.reason() == ShardException.Reason.OVERLOADED) {
          exchange.header("Retry-After", "1");
        }
        exchange.respond(status, RouterApi.error(status, shard.getMessage()).put("shard", shard.shard())
            .put("reason", shard.reason().label()));
      }
      default -> {
        LOG.error("internal error on {} {}", exchange.method(), exchange.route(), e);
        fail(exchange, 500, "internal error: " + e.getClass().getSimpleName(), null);
      }
    }
  }

  private static void fail(Exchange exchange, int status, String message, String shard) {
    var body = RouterApi.error(status, message);
    if (shard != null) {
      body.put("shard", shard);
    }
    exchange.respond(status, body);
  }
}
