package io.vectorshard.router.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The router's routes: a method and a path template each, whose {@code {param}} segments match any
 * one path segment. A path matches with or without a trailing slash, except on an exact route: a
 * client or proxy that removes dot segments turns {@code DELETE /v1/tenants/t/vectors/..} into
 * {@code DELETE /v1/tenants/t/}, which must not drop the tenant. A path some route takes with other
 * methods gets 405 and an {@code Allow} header listing them ({@link #allowed}).
 */
final class Routes {
  @FunctionalInterface
  interface Handler {
    void handle(Exchange exchange) throws Exception;
  }

  /** A route; {@code segments} is its template split at slashes; {@code exact}: no trailing slash. */
  record Route(String method, String template, List<String> segments, Handler handler, boolean exact) {
    /** PUT and POST carry a body, read before the handler runs. */
    boolean readsBody() {
      return method.equals("PUT") || method.equals("POST");
    }
  }

  /** A route that takes a request, and the values of its template's parameters. */
  record Match(Route route, Map<String, String> params) {}

  private final List<Route> routes = new ArrayList<>();

  Routes add(String method, String template, Handler handler) {
    return add(method, template, handler, false);
  }

  /** A route whose path must be given exactly, without a trailing slash (see above). */
  Routes addExact(String method, String template, Handler handler) {
    return add(method, template, handler, true);
  }

  private Routes add(String method, String template, Handler handler, boolean exact) {
    routes.add(new Route(method, template, List.of(template.substring(1).split("/", -1)), handler, exact));
    return this;
  }

  /** The first route registered for {@code method} that matches the decoded path segments, or null. */
  Match match(String method, List<String> path) {
    for (Route route : routes) {
      if (route.method().equals(method)) {
        Map<String, String> params = params(route, path);
        if (params != null) {
          return new Match(route, params);
        }
      }
    }
    return null;
  }

  /** The methods some route takes on the path, in registration order, as an {@code Allow} value; "" if none. */
  String allowed(List<String> path) {
    List<String> methods = new ArrayList<>();
    for (Route route : routes) {
      if (!methods.contains(route.method()) && params(route, path) != null) {
        methods.add(route.method());
      }
    }
    return String.join(", ", methods);
  }

  private static Map<String, String> params(Route route, List<String> path) {
    List<String> template = route.segments();
    if (!route.exact() && path.size() == template.size() + 1 && path.getLast().isEmpty()) {
      path = path.subList(0, template.size()); // one trailing slash
    }
    if (template.size() != path.size()) {
      return null;
    }
    Map<String, String> params = new HashMap<>(4);
    for (int i = 0; i < template.size(); i++) {
      String part = template.get(i);
      if (part.startsWith("{")) {
        if (path.get(i).isEmpty()) {
          return null;
        }
        params.put(part.substring(1, part.length() - 1), path.get(i));
      } else if (!part.equals(path.get(i))) {
        return null;
      }
    }
    return params;
  }
}
