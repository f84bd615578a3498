package io.vectorshard.router.http;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's own error answers (a request its parser refuses: a bad header, a URI too long, broken
 * framing; or one refused before any route) in the router's JSON envelope instead of an HTML page,
 * so a client parses every error the same way.
 */
final class JsonErrorHandler extends ErrorHandler {

  /** The parser's refusals, before any request object exists. */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return ByteBuffer.wrap(Json.write(RouterApi.error(status, describe(status, reason))));
  }

  /** Errors sent through the servlet API outside Javalin's handlers. */
  @Override
  protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request, HttpServletResponse response,
      int code, String message) throws IOException {
    baseRequest.setHandled(true);
    byte[] body = Json.write(RouterApi.error(code, describe(code, message)));
    response.setContentType("application/json");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  private static String describe(int status, String reason) {
    String standard = HttpStatus.getMessage(status);
    return reason == null || reason.isBlank() || reason.equals(standard) ? standard : standard + ": " + reason;
  }
}
