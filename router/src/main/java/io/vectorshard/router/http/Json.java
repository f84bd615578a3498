package io.vectorshard.router.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vectorshard.router.http.JsonValue.JsonObject;
import java.io.IOException;

/**
 * The router's one JSON factory (Jackson's streaming core, no databind: see {@link JsonValue}):
 * strict on input (no NaN tokens, no duplicate keys, 64 levels at most; {@link #parse} refuses
 * trailing garbage itself). Numbers are parsed with Jackson's fast float parser (FastDoubleParser,
 * exact like the JDK's). Answers are written with its generators ({@link ResponseJson}).
 */
public final class Json {
  static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      // A key given twice is ambiguous (most parsers keep the last, some the first): refuse it
      // rather than act on a guess, at every depth (filters, metadata, batch items).
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
      .build();

  private Json() {}

  /**
   * Parses a request body that must be one JSON object, with {@link BodyReader}'s streaming rules
   * for vectors and metadata.
   */
  public static JsonObject parse(byte[] body) {
    if (body.length == 0) {
      throw new BadRequestException("request body is empty; a JSON object is expected");
    }
    requireUtf8(body);
    try (JsonParser parser = FACTORY.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new BadRequestException("request body must be a JSON object");
      }
      JsonObject node = BodyReader.readObject(parser);
      JsonToken trailing = parser.nextToken();
      if (trailing != null) {
        throw new BadRequestException("malformed JSON: trailing " + trailing + " after the object");
      }
      return node;
    } catch (JsonProcessingException e) {
      // Parser messages quote the input (a duplicate key, a bad token): keep them short.
      String detail = String.valueOf(e.getOriginalMessage());
      throw new BadRequestException("malformed JSON: " + (detail.length() > 200 ? detail.substring(0, 200) + "..." : detail));
    } catch (IOException e) {
      throw new BadRequestException("unreadable request body");
    }
  }

  /**
   * Refuses a body in another encoding than UTF-8. Jackson detects UTF-16 and UTF-32 from a byte
   * order mark or the zero bytes of the first characters, and would read them; JSON exchanged
   * between systems is UTF-8 (RFC 8259), and no UTF-8 JSON text has a zero byte. A UTF-8 BOM may
   * be ignored (the RFC allows it); invalid UTF-8 sequences are the parser's to refuse.
   */
  static void requireUtf8(byte[] body) {
    boolean utf16Bom = body.length >= 2 && ((body[0] == (byte) 0xFE && body[1] == (byte) 0xFF)
        || (body[0] == (byte) 0xFF && body[1] == (byte) 0xFE));
    boolean zeroByte = false;
    for (int i = 0; i < Math.min(4, body.length); i++) {
      zeroByte |= body[i] == 0;
    }
    if (utf16Bom || zeroByte) {
      throw new BadRequestException("the request body must be JSON in UTF-8 (it looks like UTF-16 or UTF-32)");
    }
  }
}
