package io.vectorshard.router.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * Reads a request body's object with Jackson's streaming parser. Fields become JSON trees, except
 * the bulky ones, for which the tree model would build a node per number (a batch of 500 vectors
 * of 128 dimensions is 64,000 nodes):
 *
 * <ul>
 *   <li>vectors ({@code vector}, {@code query_vector}) are read straight into a {@code float[]};
 *   <li>metadata objects ({@code metadata}) are copied as compact JSON text, which is what is stored;
 *   <li>the batch's item list ({@code vectors}) holds objects read by these same rules.
 * </ul>
 *
 * They sit in the tree as POJO nodes; {@link Requests} unwraps and validates them, so a value of
 * the wrong shape stays a plain node there and gets the usual 400.
 */
final class BodyReader {
  static final Set<String> VECTOR_FIELDS = Set.of("vector", "query_vector");
  static final String METADATA_FIELD = "metadata";
  static final String ITEMS_FIELD = "vectors";

  /**
   * An array as read for a vector field: its numbers, how many elements it had, and the first
   * element that is not a finite float32 (-1 if none), so messages can name it.
   */
  record ParsedVector(float[] values, int size, int firstBad, boolean firstBadIsNumber) {}

  /** A metadata object as compact JSON text. */
  record RawObject(String json, int bytes) {}

  private BodyReader() {}

  /** Reads the object the parser is at (its START_OBJECT), up to and including its END_OBJECT. */
  static ObjectNode readObject(JsonParser p) throws IOException {
    ObjectNode object = Json.MAPPER.createObjectNode();
    for (String field = p.nextFieldName(); field != null; field = p.nextFieldName()) {
      JsonToken value = p.nextToken();
      if (value == JsonToken.START_ARRAY && VECTOR_FIELDS.contains(field)) {
        object.putPOJO(field, readVector(p));
      } else if (value == JsonToken.START_OBJECT && METADATA_FIELD.equals(field)) {
        object.putPOJO(field, copy(p));
      } else if (value == JsonToken.START_ARRAY && ITEMS_FIELD.equals(field)) {
        object.set(field, readItems(p));
      } else {
        object.set(field, p.readValueAsTree());
      }
    }
    if (p.currentToken() != JsonToken.END_OBJECT) {
      throw new BadRequestException("malformed JSON: unexpected " + p.currentToken() + " in an object");
    }
    return object;
  }

  private static ParsedVector readVector(JsonParser p) throws IOException {
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
    return new ParsedVector(values, size, firstBad, badIsNumber);
  }

  private static RawObject copy(JsonParser p) throws IOException {
    try (ByteArrayBuilder bytes = new ByteArrayBuilder(256);
        JsonGenerator out = Json.MAPPER.getFactory().createGenerator(bytes)) {
      out.copyCurrentStructure(p);
      out.flush();
      byte[] json = bytes.toByteArray();
      return new RawObject(new String(json, StandardCharsets.UTF_8), json.length);
    }
  }

  private static ArrayNode readItems(JsonParser p) throws IOException {
    ArrayNode items = Json.MAPPER.createArrayNode();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t == null) {
        throw new BadRequestException("malformed JSON: unterminated array");
      }
      JsonNode item = t == JsonToken.START_OBJECT ? readObject(p) : p.readValueAsTree();
      items.add(item);
    }
    return items;
  }
}
