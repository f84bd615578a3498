package io.vectorshard.router.http;

import io.vectorshard.router.http.JsonValue.Floats;
import io.vectorshard.router.http.JsonValue.JsonBoolean;
import io.vectorshard.router.http.JsonValue.JsonInteger;
import io.vectorshard.router.http.JsonValue.JsonObject;
import io.vectorshard.router.http.JsonValue.JsonString;
import io.vectorshard.router.http.JsonValue.RawObject;
import io.vectorshard.router.query.SearchRequest;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;

/**
 * Validation of request fields (contract 6). Every check happens before anything is sent to a
 * shard, so a rejected request changes nothing; every message names the field.
 */
public final class Requests {
  public static final int MAX_ATTRIBUTES_BYTES = 64 * 1024;
  public static final int DEFAULT_EF = 100;
  public static final int MAX_TIMEOUT_MS = 60_000;

  private Requests() {}

  /** Refuses fields the route does not know, so a typo ("topk") is not silently ignored. */
  static void onlyFields(JsonObject body, Set<String> known) {
    for (String field : body.members().keySet()) {
      if (!known.contains(field)) {
        throw new BadRequestException("unknown field \"" + cut(field) + "\"; known fields: " + String.join(", ", known.stream().sorted().toList()));
      }
    }
  }

  static float[] vector(JsonObject body, String field, int dimensions) {
    JsonValue node = body.get(field);
    if (JsonValue.absent(node)) {
      throw new BadRequestException(field + " is required: an array of " + dimensions + " numbers");
    }
    if (!(node instanceof Floats parsed)) {
      throw new BadRequestException(field + " must be an array of numbers");
    }
    if (parsed.size() != dimensions) {
      throw new BadRequestException(field + " has " + parsed.size() + " dimensions but this cluster's vectors have " + dimensions);
    }
    if (parsed.firstBad() >= 0) {
      String where = field + "[" + parsed.firstBad() + "]";
      throw new BadRequestException(parsed.firstBadIsNumber()
          ? where + " is not a finite float32 (NaN and infinities are refused)"
          : where + " is not a number");
    }
    float[] values = parsed.values();
    return values.length == dimensions ? values : Arrays.copyOf(values, dimensions);
  }

  /** The metadata object as compact JSON ("" when absent), bounded in size. */
  static String attributes(JsonObject body, String field) {
    JsonValue node = body.get(field);
    if (JsonValue.absent(node)) {
      return "";
    }
    if (!(node instanceof RawObject json)) {
      throw new BadRequestException(field + " must be a JSON object");
    }
    if (json.bytes() > MAX_ATTRIBUTES_BYTES) {
      throw new BadRequestException(field + " is " + json.bytes() + " bytes of JSON; the limit is " + MAX_ATTRIBUTES_BYTES);
    }
    return json.json();
  }

  static int intInRange(JsonObject body, String field, int fallback, int min, int max) {
    JsonValue node = body.get(field);
    if (JsonValue.absent(node)) {
      return fallback;
    }
    if (!(node instanceof JsonInteger(long value, BigInteger big)) || big != null || value < min || value > max) {
      throw new BadRequestException(field + " must be an integer in " + min + ".." + max);
    }
    return (int) value;
  }

  static boolean bool(JsonObject body, String field, boolean fallback) {
    JsonValue node = body.get(field);
    if (JsonValue.absent(node)) {
      return fallback;
    }
    if (!(node instanceof JsonBoolean(boolean value))) {
      throw new BadRequestException(field + " must be true or false");
    }
    return value;
  }

  static String text(JsonObject body, String field) {
    JsonValue node = body.get(field);
    if (JsonValue.absent(node)) {
      return null;
    }
    if (!(node instanceof JsonString(String value))) {
      throw new BadRequestException(field + " must be a string");
    }
    return value;
  }

  static SearchRequest.Merge merge(JsonObject body, String field) {
    String value = text(body, field);
    if (value == null) {
      return SearchRequest.Merge.SCORE;
    }
    return switch (value) {
      case "score" -> SearchRequest.Merge.SCORE;
      case "rrf" -> SearchRequest.Merge.RRF;
      default -> throw new BadRequestException(field + " must be \"score\" or \"rrf\"");
    };
  }

  static Duration timeout(JsonObject body, String field, Duration fallback) {
    return Duration.ofMillis(intInRange(body, field, (int) fallback.toMillis(), 1, MAX_TIMEOUT_MS));
  }

  static String cut(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }
}
