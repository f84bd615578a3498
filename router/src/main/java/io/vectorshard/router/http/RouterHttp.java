package io.vectorshard.router.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.http.NotFoundResponse;
import io.vectorshard.core.redis.FilterSyntaxException;
import io.vectorshard.core.redis.ShardException;
import io.vectorshard.core.redis.StaleEpochException;
import io.vectorshard.router.RouterConfig;
import io.vectorshard.router.metrics.RouterMetrics;
import io.vectorshard.router.query.Searcher;
import io.vectorshard.router.routing.NotReadyException;
import io.vectorshard.router.routing.Routing;
import io.vectorshard.router.write.Writer;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Javalin server: routes, the error-to-status mapping, probes and metrics. Every error answer is
 * JSON {@code {"status", "error"[, "shard"]}}; request bodies are never logged (they hold vectors).
 */
public final class RouterHttp {
  private static final Logger LOG = LoggerFactory.getLogger(RouterHttp.class);
  static final int ACCEPT_QUEUE = 1024;
  /** Threads Jetty keeps: its acceptor and selector, and two for requests. */
  static final int MIN_IDLE_THREADS = 4;

  private RouterHttp() {}

  public static Javalin create(RouterConfig config, Routing routing, Writer writer, Searcher searcher,
      RouterMetrics metrics) {
    BodyBudget bodies = new BodyBudget(config.http().maxBodyMemoryBytes());
    RouterApi api = new RouterApi(config, routing, writer, searcher);
    Javalin app = Javalin.create(c -> {
      c.showJavalinBanner = false;
      // Jetty's pooled platform threads, not virtual threads: a request's shard call runs on its
      // thread (FanOut), and a blocking Redis read on a virtual thread costs a park, the JDK's poller
      // and a reschedule (measured at c=1: 10 context switches and 0.3 ms of CPU per query, vs 4-5
      // and 0.15-0.2 ms on platform threads). A sidecar's concurrency fits Jetty's pool (250).
      c.useVirtualThreads = false;
      c.http.maxRequestSize = config.http().maxRequestBytes();
      // Responses go to a client on localhost: compressing them only costs CPU.
      c.http.disableCompression();
      c.router.ignoreTrailingSlashes = true;
      // A known path with a method it does not take is 405 with Allow, not 404.
      c.http.prefer405over404 = true;
      // Jetty's own refusals (bad headers, framing, URIs too long) in the JSON envelope too.
      c.jetty.modifyServer(server -> {
        server.setErrorHandler(new JsonErrorHandler());
        // Past this many open connections Jetty stops accepting until one closes.
        server.addBean(new ConnectionLimit(config.http().maxConnections(), server));
      });
      c.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new JsonErrorHandler()));
      // Few threads kept idle (Jetty keeps 8): a sidecar is idle most of its life; busy, the pool grows.
      c.jetty.threadPool = new QueuedThreadPool(config.http().threads(), MIN_IDLE_THREADS, 60_000);
      // Jetty's own minimum data rate is not set: it counts from a body's first byte, so a small body
      // whose last packet comes a few milliseconds after its first is refused. AsyncBody checks the
      // rate itself, after a second's grace.
      c.jetty.addConnector((server, httpConfig) -> {
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
        connector.setHost(config.host());
        connector.setPort(config.port());
        // The listen backlog: the JDK's default of 50 made 2,000 connects take 22 s.
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        return connector;
      });
      c.requestLogger.http((ctx, ms) -> metrics.httpRequest(ctx.method().name(), route(ctx), ctx.statusCode(),
          (long) (ms * 1_000_000)));
    });
    Routes routes = new Routes(app, bodies, config.http())
        .add(HandlerType.PUT, "/v1/tenants/{tenant}/vectors/{id}", api::upsert)
        .add(HandlerType.GET, "/v1/tenants/{tenant}/vectors/{id}", api::get)
        .add(HandlerType.DELETE, "/v1/tenants/{tenant}/vectors/{id}", api::delete)
        .add(HandlerType.POST, "/v1/tenants/{tenant}/vectors:batch", api::batch)
        .add(HandlerType.POST, "/v1/tenants/{tenant}/query", api::tenantQuery)
        .add(HandlerType.DELETE, "/v1/tenants/{tenant}", api::dropTenant)
        .add(HandlerType.POST, "/v1/search", api::search)
        .add(HandlerType.POST, "/v1/query", api::articleQuery)
        .add(HandlerType.POST, "/v1/query/multi-shard", api::articleMultiShard)
        .add(HandlerType.GET, "/v1/routing", api::routingTable);
    routes.add(HandlerType.GET, "/healthz", ctx -> RouterApi.respond(ctx, 200, Json.MAPPER.createObjectNode().put("status", "ok")));
    routes.add(HandlerType.GET, "/readyz", ctx -> {
      boolean ready = routing.snapshot().isPresent();
      RouterApi.respond(ctx, ready ? 200 : 503, Json.MAPPER.createObjectNode().put("ready", ready)
          .put("epoch", routing.snapshot().map(Routing.Snapshot::epoch).orElse(0L)));
    });
    routes.add(HandlerType.GET, "/metrics", ctx -> RouterApi.send(ctx, 200, RouterMetrics.contentType(), metrics.scrape()));
    app.before(ctx -> RequestGuard.check(ctx, config.http().maxRequestBytes()));

    app.exception(BadRequestException.class, (e, ctx) -> fail(ctx, 400, e.getMessage(), null));
    app.exception(FilterSyntaxException.class, (e, ctx) -> fail(ctx, 400, "invalid filter: " + e.getMessage(), null));
    app.exception(IllegalArgumentException.class, (e, ctx) -> fail(ctx, 400, e.getMessage(), null));
    app.exception(NotReadyException.class, (e, ctx) -> fail(ctx, 503, e.getMessage(), null));
    app.exception(StaleEpochException.class, (e, ctx) -> fail(ctx, 503,
        "the routing table is changing; retry shortly (" + e.getMessage() + ")", e.shard()));
    // A shard's own failure (down, loading, busy, refusing the router's user) is 503, a missed deadline
    // 504; neither is logged here: ShardHealth logs each shard's state once when it changes.
    // Passing states (loading, a script, this router's bulkhead) tell the client when to retry.
    app.exception(ShardException.class, (e, ctx) -> {
      var body = RouterApi.error(e.timeout() ? 504 : 503, e.getMessage()).put("shard", e.shard())
          .put("reason", e.reason().label());
      if (e.reason() == ShardException.Reason.LOADING || e.reason() == ShardException.Reason.BUSY
          || e.reason() == ShardException.Reason.OVERLOADED) {
        ctx.header("Retry-After", "1");
      }
      RouterApi.respond(ctx, e.timeout() ? 504 : 503, body);
    });
    // Javalin answers an unmatched path with this exception when it prefers 405 over 404.
    app.exception(NotFoundResponse.class, (e, ctx) -> fail(ctx, 404, "no such route: " + ctx.method() + " " + ctx.path(), null));
    app.exception(MethodNotAllowedResponse.class, (e, ctx) -> {
      String allowed = routes.allowed(ctx.path());
      ctx.header("Allow", allowed);
      fail(ctx, 405, "method " + ctx.method() + " not allowed on " + ctx.path() + "; allowed: " + allowed, null);
    });
    app.exception(HttpResponseException.class, (e, ctx) -> fail(ctx, e.getStatus(), e.getMessage(), null));
    app.exception(Exception.class, (e, ctx) -> {
      LOG.error("internal error on {} {}", ctx.method(), ctx.endpointHandlerPath(), e);
      fail(ctx, 500, "internal error: " + e.getClass().getSimpleName(), null);
    });
    return app;
  }

  private static void fail(Context ctx, int status, String message, String shard) {
    var body = RouterApi.error(status, message);
    if (shard != null) {
      body.put("shard", shard);
    }
    RouterApi.respond(ctx, status, body);
  }

  /** The route template, so metrics are labelled by route, never by tenant or id. */
  private static String route(Context ctx) {
    String path;
    try {
      path = ctx.endpointHandlerPath();
    } catch (IllegalStateException noEndpointMatched) {
      // Javalin refuses this when no route matched (the request never left the BEFORE phase);
      // letting it escape the request logger turned every 404 into a 500.
      return "unmatched";
    }
    return path == null || path.isEmpty() || path.equals("*") ? "unmatched" : path;
  }
}
