package io.vectorshard.router.http;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * A request body's JSON, as {@link BodyReader} reads it with Jackson's streaming parser: plain
 * values for the small fields, and two readings of the bulky ones ({@link Floats}, {@link RawObject}).
 *
 * <p>Why not Jackson's own tree ({@code JsonNode}): it comes with databind, some 350 classes and an
 * {@code ObjectMapper}, 4-5 MB of every idle sidecar (its AOT cache maps each class the router has
 * loaded; docs/benchmarks.md, "Sidecar footprint"), for a handful of fields read once per request.
 */
public sealed interface JsonValue {

  /** An object's members in the order they came; a key given twice is refused by the parser. */
  record JsonObject(Map<String, JsonValue> members) implements JsonValue {
    public JsonValue get(String name) {
      return members.get(name);
    }

    public boolean isEmpty() {
      return members.isEmpty();
    }
  }

  record JsonArray(List<JsonValue> items) implements JsonValue {
    public int size() {
      return items.size();
    }

    public boolean isEmpty() {
      return items.isEmpty();
    }
  }

  record JsonString(String value) implements JsonValue {}

  /**
   * A number written without a fraction or an exponent: {@code value} where it fits a long, else
   * {@code big} (jackson-core refuses more than 1,000 digits). A long, not a BigInteger each: a
   * body of small numbers must not cost many times its size in heap ({@code BodyBudget}).
   */
  record JsonInteger(long value, BigInteger big) implements JsonValue {
    public static JsonInteger of(BigInteger value) {
      return value.bitLength() < Long.SIZE ? new JsonInteger(value.longValue(), null) : new JsonInteger(0, value);
    }

    public BigInteger bigValue() {
      return big != null ? big : BigInteger.valueOf(value);
    }
  }

  /** A number with a fraction or an exponent, as the nearest double (possibly infinite: 1e999). */
  record JsonDecimal(double value) implements JsonValue {}

  record JsonBoolean(boolean value) implements JsonValue {}

  record JsonNull() implements JsonValue {}

  /**
   * An array read for a vector field, straight into float32 (a batch of 500 vectors of 128
   * dimensions would otherwise be 64,000 values): its numbers, how many elements it had, and the
   * first element that is not a finite float32 (-1 if none), so messages can name it.
   */
  record Floats(float[] values, int size, int firstBad, boolean firstBadIsNumber) implements JsonValue {}

  /** A metadata object as compact JSON text, which is what is stored. */
  record RawObject(String json, int bytes) implements JsonValue {}

  /** A field not given, or given as null: the two mean the same in every request. */
  static boolean absent(JsonValue value) {
    return value == null || value instanceof JsonNull;
  }

  /** What a message calls this kind of value. */
  default String kind() {
    if (this instanceof JsonObject || this instanceof RawObject) {
      return "an object";
    }
    if (this instanceof JsonArray || this instanceof Floats) {
      return "an array";
    }
    if (this instanceof JsonInteger || this instanceof JsonDecimal) {
      return "a number";
    }
    return this instanceof JsonString ? "a string" : this instanceof JsonBoolean ? "a boolean" : "null";
  }
}
