package io.vectorshard.router.http;

import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks every request passes before a route sees it, on what the client declared: a body too large
 * for the limit (refused before a byte of it is read, whatever the declared length), a charset other
 * than UTF-8, and a path whose percent-encoding is not UTF-8. The servlet layer decodes such a path
 * with replacement characters, so {@code %FF} and {@code %FE} would both become U+FFFD and two
 * different ids would name one vector.
 */
final class RequestGuard {
  /** Javalin's logger, which reports a body over the size limit as {@code ctx.bodyAsBytes()} does. */
  private static final Logger JAVALIN_LOG = LoggerFactory.getLogger("io.javalin.Javalin");

  private RequestGuard() {}

  static void check(Context ctx, long maxRequestBytes) {
    if (ctx.req().getContentLengthLong() > maxRequestBytes) {
      throw tooLarge(maxRequestBytes);
    }
    String type = ctx.req().getContentType();
    if (type != null) {
      String charset = ctx.req().getCharacterEncoding();
      if (charset != null && !charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
        throw new HttpResponseException(HttpStatus.UNSUPPORTED_MEDIA_TYPE.getCode(),
            "request bodies are JSON in UTF-8, not " + cut(charset));
      }
    }
    requireUtf8Path(ctx.req().getRequestURI());
  }

  /** The 413 of a body over the limit (Javalin's status and message). */
  static HttpResponseException tooLarge(long limit) {
    JAVALIN_LOG.warn("Body greater than max size ({} bytes)", limit);
    return new HttpResponseException(HttpStatus.CONTENT_TOO_LARGE.getCode(), HttpStatus.CONTENT_TOO_LARGE.getMessage());
  }

  /** Decodes the raw path's percent-escapes and refuses bytes that are not UTF-8. */
  static void requireUtf8Path(String rawPath) {
    if (rawPath == null || rawPath.indexOf('%') < 0) {
      return;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawPath.length());
    for (int i = 0; i < rawPath.length(); i++) {
      char c = rawPath.charAt(i);
      if (c == '%' && i + 2 < rawPath.length() && hex(rawPath.charAt(i + 1)) >= 0 && hex(rawPath.charAt(i + 2)) >= 0) {
        bytes.write(hex(rawPath.charAt(i + 1)) * 16 + hex(rawPath.charAt(i + 2)));
        i += 2;
      } else if (c == '%') {
        throw new BadRequestException("the path has a malformed percent-escape");
      } else {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()));
    } catch (CharacterCodingException e) {
      throw new BadRequestException("the path's percent-encoded bytes are not UTF-8");
    }
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }

  private static String cut(String s) {
    String lower = s.toLowerCase(Locale.ROOT);
    return lower.length() > 40 ? lower.substring(0, 40) + "..." : lower;
  }
}
