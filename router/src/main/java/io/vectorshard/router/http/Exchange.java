package io.vectorshard.router.http;

import io.vectorshard.router.metrics.RouterMetrics;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One request and its answer: what the routes' handlers see of Jetty's request and response. It is
 * answered once ({@link #send}); that write completes Jetty's callback, and the request is counted
 * in the metrics by its route's template, never by tenant or id.
 */
final class Exchange {
  /** Methods counted by name in the metrics; any other token a client sends counts as OTHER. */
  private static final Set<String> KNOWN_METHODS = Set.of("GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS");
  static final String UNMATCHED = "unmatched";

  private final Request request;
  private final Response response;
  private final Callback callback;
  private final RouterMetrics metrics;
  private String route = UNMATCHED;
  private Map<String, String> pathParams = Map.of();
  private byte[] body;
  private boolean sent;
  /** What this request's body holds of the {@link BodyBudget}: its bytes so far, and the KiB reserved for them. */
  long heldBytes;
  int heldKiB;

  Exchange(Request request, Response response, Callback callback, RouterMetrics metrics) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.metrics = metrics;
  }

  Request request() {
    return request;
  }

  String method() {
    return request.getMethod();
  }

  /** The path as the client sent it, still percent-encoded. */
  String rawPath() {
    return request.getHttpURI().getPath();
  }

  void matched(String template, Map<String, String> params) {
    this.route = template;
    this.pathParams = params;
  }

  /** The route's template ("unmatched" until one matched): what logs and metrics name, never ids. */
  String route() {
    return route;
  }

  /** A path segment the route's template names, percent-decoded. */
  String pathParam(String name) {
    String value = pathParams.get(name);
    if (value == null) {
      throw new IllegalStateException("route " + route + " has no path parameter " + name);
    }
    return value;
  }

  void body(byte[] body) {
    this.body = body;
  }

  /** The request body, read before the handler ran (see {@link AsyncBody}). */
  byte[] body() {
    if (body == null) {
      throw new IllegalStateException("no body was read for " + method() + " " + route);
    }
    return body;
  }

  void header(String name, String value) {
    response.getHeaders().put(name, value);
  }

  boolean sent() {
    return sent;
  }

  void respond(int status, ResponseJson.Fields body) {
    send(status, "application/json", body.toBytes());
  }

  /** Answers the request: status, type and length, then the bytes in one write. Later calls do nothing. */
  void send(int status, String contentType, byte[] bytes) {
    if (sent) {
      return;
    }
    sent = true;
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    response.write(true, ByteBuffer.wrap(bytes), callback); // completes the callback, however it ends
    metrics.httpRequest(KNOWN_METHODS.contains(method()) ? method() : "OTHER", route, status,
        System.nanoTime() - request.getBeginNanoTime());
  }
}
