package io.vectorshard.router.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;

/**
 * Checks every request passes before a route sees it, on what the client declared: a body too large
 * for the limit (refused before a byte of it is read, whatever the declared length), a charset other
 * than UTF-8, and a path whose percent-encoding is not UTF-8. Decoding such a path with replacement
 * characters would turn {@code %FF} and {@code %FE} both into U+FFFD, so two different ids would
 * name one vector; {@link #pathSegments} refuses it instead.
 */
final class RequestGuard {
  private RequestGuard() {}

  static void check(Exchange exchange, long maxRequestBytes) {
    if (exchange.request().getLength() > maxRequestBytes) {
      throw tooLarge(maxRequestBytes);
    }
    String charset = MimeTypes.getCharsetFromContentType(exchange.request().getHeaders().get(HttpHeader.CONTENT_TYPE));
    if (charset != null && !charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
      throw new HttpError(415, "Unsupported Media Type: request bodies are JSON in UTF-8, not " + cut(charset), false);
    }
  }

  /** The 413 of a body over the limit. */
  static HttpError tooLarge(long limit) {
    return new HttpError(413, "Content Too Large", false); // the status's own text, which clients may match
  }

  /**
   * The raw path's segments after its leading slash, each percent-decoded (a trailing slash is an
   * empty last segment); a malformed escape or bytes that are not UTF-8 are refused.
   */
  static List<String> pathSegments(String rawPath) {
    String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
    List<String> segments = new ArrayList<>(6);
    for (String segment : path.substring(1).split("/", -1)) {
      segments.add(segment.indexOf('%') < 0 ? segment : decode(segment));
    }
    return segments;
  }

  private static String decode(String segment) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%' && i + 2 < segment.length()
          && HexFormat.isHexDigit(segment.charAt(i + 1)) && HexFormat.isHexDigit(segment.charAt(i + 2))) {
        bytes.write(HexFormat.fromHexDigits(segment, i + 1, i + 3));
        i += 2;
      } else if (c == '%') {
        throw new BadRequestException("the path has a malformed percent-escape");
      } else {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw new BadRequestException("the path's percent-encoded bytes are not UTF-8");
    }
  }

  private static String cut(String s) {
    String lower = s.toLowerCase(Locale.ROOT);
    return lower.length() > 40 ? lower.substring(0, 40) + "..." : lower;
  }
}
