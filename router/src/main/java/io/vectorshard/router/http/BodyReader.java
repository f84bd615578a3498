package io.vectorshard.router.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.vectorshard.router.http.JsonValue.Floats;
import io.vectorshard.router.http.JsonValue.JsonArray;
import io.vectorshard.router.http.JsonValue.JsonObject;
import io.vectorshard.router.http.JsonValue.RawObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a request body's object with Jackson's streaming parser into {@link JsonValue}s, plain
 * ones except for the bulky fields:
 *
 * <ul>
 *   <li>vectors ({@code vector}, {@code query_vector}) are read straight into a {@code float[]};
 *   <li>metadata objects ({@code metadata}) are copied as compact JSON text, which is what is stored;
 *   <li>the batch's item list ({@code vectors}) holds objects read by these same rules.
 * </ul>
 *
 * These rules apply to the body's own fields and a batch item's, not inside other values (a
 * filter on a field named "vector" stays a filter). {@link Requests} validates the values, so a
 * value of the wrong shape stays a plain value there and gets the usual 400.
 */
final class BodyReader {
  static final Set<String> VECTOR_FIELDS = Set.of("vector", "query_vector");
  static final String METADATA_FIELD = "metadata";
  static final String ITEMS_FIELD = "vectors";

  private static final JsonValue.JsonNull NULL = new JsonValue.JsonNull();
  private static final JsonValue.JsonBoolean TRUE = new JsonValue.JsonBoolean(true);
  private static final JsonValue.JsonBoolean FALSE = new JsonValue.JsonBoolean(false);

  private BodyReader() {}

  /** Reads the body's object the parser is at (its START_OBJECT), up to and including its END_OBJECT. */
  static JsonObject readObject(JsonParser p) throws IOException {
    return readObject(p, true);
  }

  /**
   * Reads the object the parser is at; {@code body}: whether it is the body or a batch item, whose
   * bulky fields get their own readings.
   */
  private static JsonObject readObject(JsonParser p, boolean body) throws IOException {
    Map<String, JsonValue> members = new LinkedHashMap<>();
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken value = p.nextToken();
      members.put(field, body ? readField(p, field, value) : readValue(p));
    }
    requireEnd(p, JsonToken.END_OBJECT);
    return new JsonObject(Collections.unmodifiableMap(members));
  }

  private static JsonValue readField(JsonParser p, String field, JsonToken value) throws IOException {
    if (value == JsonToken.START_ARRAY && VECTOR_FIELDS.contains(field)) {
      return readVector(p);
    }
    if (value == JsonToken.START_OBJECT && METADATA_FIELD.equals(field)) {
      return copy(p);
    }
    if (value == JsonToken.START_ARRAY && ITEMS_FIELD.equals(field)) {
      return readArray(p, true);
    }
    return readValue(p);
  }

  /** Reads the array the parser is at; {@code items}: whether its objects are batch items. */
  private static JsonArray readArray(JsonParser p, boolean items) throws IOException {
    List<JsonValue> values = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t == null) {
        throw new BadRequestException("malformed JSON: unterminated array");
      }
      values.add(items && t == JsonToken.START_OBJECT ? readObject(p, true) : readValue(p));
    }
    return new JsonArray(Collections.unmodifiableList(values));
  }

  /**
   * Reads the value the parser is at, nested values too, with no special fields. The parser's
   * constraints bound its depth; the body limit its size.
   */
  private static JsonValue readValue(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      throw new BadRequestException("malformed JSON: unexpected end of input");
    }
    return switch (t) {
      case START_OBJECT -> readObject(p, false);
      case START_ARRAY -> readArray(p, false);
      case VALUE_STRING -> new JsonValue.JsonString(p.getText());
      case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          ? JsonValue.JsonInteger.of(p.getBigIntegerValue()) : new JsonValue.JsonInteger(p.getLongValue(), null);
      case VALUE_NUMBER_FLOAT -> new JsonValue.JsonDecimal(p.getDoubleValue());
      case VALUE_TRUE -> TRUE;
      case VALUE_FALSE -> FALSE;
      case VALUE_NULL -> NULL;
      default -> throw new BadRequestException("malformed JSON: unexpected " + t);
    };
  }

  private static void requireEnd(JsonParser p, JsonToken end) {
    if (p.currentToken() != end) {
      throw new BadRequestException("malformed JSON: unexpected " + p.currentToken() + " in an object");
    }
  }

  private static Floats readVector(JsonParser p) throws IOException {
    float[] values = new float[256];
    int size = 0;
    int firstBad = -1;
    boolean badIsNumber = false;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t == null) {
        throw new BadRequestException("malformed JSON: unterminated array");
      }
      float f = 0;
      if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
        // Parsed as float32 directly (correctly rounded), not as a double then narrowed.
        f = p.getFloatValue();
        if (firstBad < 0 && !Float.isFinite(f)) {
          firstBad = size;
          badIsNumber = true;
        }
      } else {
        if (firstBad < 0) {
          firstBad = size;
        }
        p.skipChildren();
      }
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = f;
    }
    return new Floats(values, size, firstBad, badIsNumber);
  }

  private static RawObject copy(JsonParser p) throws IOException {
    try (ByteArrayBuilder bytes = new ByteArrayBuilder(256);
        JsonGenerator out = Json.FACTORY.createGenerator(bytes)) {
      out.copyCurrentStructure(p);
      out.flush();
      byte[] json = bytes.toByteArray();
      return new RawObject(new String(json, StandardCharsets.UTF_8), json.length);
    }
  }
}
