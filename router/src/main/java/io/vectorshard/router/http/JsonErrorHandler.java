package io.vectorshard.router.http;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error answers (a request its parser refuses: a bad header, a URI too long, an
 * ambiguous path) in the router's JSON envelope instead of an HTML page, so a client parses every
 * error the same way.
 */
final class JsonErrorHandler extends ErrorHandler {

  /** Every method's error gets its body (Jetty writes none for PUT or DELETE). */
  @Override
  public boolean errorPageForMethod(String method) {
    return true;
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
      Callback callback) {
    byte[] body = RouterApi.error(code, describe(code, message)).toBytes();
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  /** The status's text, with Jetty's reason for a client error; a server error's may hold exception text. */
  private static String describe(int status, String reason) {
    String standard = HttpStatus.getMessage(status);
    return status >= 500 || reason == null || reason.isBlank() || reason.equals(standard) ? standard : standard + ": " + reason;
  }
}
