package io.vectorshard.router.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.vectorshard.router.HttpLimits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;

/**
 * The router's routes, registered on Javalin and remembered by path template, so a request with
 * a method a path does not take gets its {@code Allow} header (405) listing the ones it does.
 * Handlers of PUT and POST get their body read asynchronously ({@link #add}).
 */
final class Routes {
  /** The request attribute holding a body read by {@link AsyncBody}. */
  static final String BODY = "vsc.body";
  private final Javalin app;
  private final BodyBudget bodies;
  private final HttpLimits limits;
  /** Each path template's pattern and the methods registered on it. */
  private record Template(Pattern pattern, List<String> methods) {}

  private final Map<String, Template> templates = new LinkedHashMap<>();

  Routes(Javalin app, BodyBudget bodies, HttpLimits limits) {
    this.app = app;
    this.bodies = bodies;
    this.limits = limits;
  }

  /**
   * Registers a route. A PUT or POST handler runs once its body is read: at once if the body is all
   * here already, otherwise without holding a thread while it arrives ({@link AsyncBody}), on the
   * thread that read its last bytes. The handler finds it in {@link #BODY}; the memory the body held
   * comes back when the handler ends, however it ends.
   */
  Routes add(HandlerType method, String template, Handler handler) {
    boolean hasBody = method == HandlerType.PUT || method == HandlerType.POST;
    app.addHttpHandler(method, template, !hasBody ? handler : ctx -> {
      try {
        byte[] arrived = AsyncBody.readIfArrived(ctx, bodies);
        if (arrived != null) {
          handle(ctx, arrived, handler);
          return;
        }
      } finally {
        bodies.release(ctx); // what a body read at once held; nothing if it was not all here
      }
      ctx.future(() -> AsyncBody.read(ctx, bodies, limits.maxRequestBytes(), limits.minRequestBytesPerSecond())
          .thenAccept(body -> {
            try {
              handle(ctx, body, handler);
            } catch (RuntimeException e) {
              throw e;
            } catch (Exception e) {
              throw new CompletionException(e);
            }
          }).whenComplete((done, failed) -> bodies.release(ctx)));
    });
    templates.computeIfAbsent(template, t -> new Template(pattern(t), new ArrayList<>())).methods().add(method.name());
    return this;
  }

  private static void handle(Context ctx, byte[] body, Handler handler) throws Exception {
    ctx.attribute(BODY, body);
    handler.handle(ctx);
  }

  /** The methods some route takes on {@code path}, in registration order, as an {@code Allow} value. */
  String allowed(String path) {
    List<String> methods = new ArrayList<>();
    for (Template template : templates.values()) {
      if (template.pattern().matcher(path).matches()) {
        template.methods().stream().filter(m -> !methods.contains(m)).forEach(methods::add);
      }
    }
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
