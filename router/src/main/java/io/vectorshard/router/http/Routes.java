package io.vectorshard.router.http;

import io.javalin.Javalin;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The router's routes, registered on Javalin and remembered by path template, so a request with
 * a method a path does not take gets its {@code Allow} header (405) listing the ones it does.
 * Every handler gives back its body's share of the {@link BodyBudget} when it ends.
 */
final class Routes {
  private final Javalin app;
  private final BodyBudget bodies;
  private final Map<String, List<String>> methodsByTemplate = new LinkedHashMap<>();
  private final Map<String, Pattern> patterns = new LinkedHashMap<>();

  Routes(Javalin app, BodyBudget bodies) {
    this.app = app;
    this.bodies = bodies;
  }

  /** Registers a route; the memory its request body held comes back when the handler ends, however it ends. */
  Routes add(HandlerType method, String template, Handler handler) {
    app.addHttpHandler(method, template, ctx -> {
      try {
        handler.handle(ctx);
      } finally {
        bodies.release(ctx);
      }
    });
    methodsByTemplate.computeIfAbsent(template, t -> new ArrayList<>()).add(method.name());
    patterns.computeIfAbsent(template, Routes::pattern);
    return this;
  }

  /** The methods some route takes on {@code path}, in registration order, as an {@code Allow} value. */
  String allowed(String path) {
    List<String> methods = new ArrayList<>();
    patterns.forEach((template, pattern) -> {
      if (pattern.matcher(path).matches()) {
        methodsByTemplate.get(template).stream().filter(m -> !methods.contains(m)).forEach(methods::add);
      }
    });
    return String.join(", ", methods);
  }

  /** A template's {@code {param}} segments match any one path segment; the rest matches itself. */
  private static Pattern pattern(String template) {
    StringBuilder regex = new StringBuilder();
    for (String part : template.split("(?=\\{)|(?<=})")) {
      regex.append(part.startsWith("{") ? "[^/]+" : Pattern.quote(part));
    }
    return Pattern.compile(regex + "/?");
  }
}
