package io.vectorshard.operator.kubernetes;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.javaoperatorsdk.operator.RuntimeInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code /healthz} on the metrics port, for the Deployment's probes: 200 once the operator has
 * started and every informer is watching, 503 naming the unhealthy event sources otherwise (an
 * informer that lost its watch, for example after the CRD was removed). A standby replica is
 * healthy: its informers run, it only does not reconcile.
 */
final class HealthHandler implements HttpHandler {
  static final String PATH = "/healthz";
  private final RuntimeInfo runtime;

  HealthHandler(RuntimeInfo runtime) {
    this.runtime = runtime;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      int status;
      String body;
      if (!PATH.equals(exchange.getRequestURI().getPath())) {
        status = 404;
        body = "not found; see /metrics and " + PATH + "\n";
      } else if (runtime.isStarted() && runtime.allEventSourcesAreHealthy()) {
        status = 200;
        body = "ok\n";
      } else {
        status = 503;
        body = runtime.isStarted() ? "unhealthy event sources: " + runtime.unhealthyEventSources().keySet() + "\n"
            : "starting\n";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
