package io.vectorshard.router.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.POJONode;
import io.vectorshard.router.query.SearchRequest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
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
  public static void onlyFields(JsonNode body, Set<String> known) {
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!known.contains(field)) {
        throw new BadRequestException("unknown field \"" + cut(field) + "\"; known fields: " + String.join(", ", known.stream().sorted().toList()));
      }
    }
  }

  public static float[] vector(JsonNode body, String field, int dimensions) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      throw new BadRequestException(field + " is required: an array of " + dimensions + " numbers");
    }
    if (!(node instanceof POJONode pojo) || !(pojo.getPojo() instanceof BodyReader.ParsedVector parsed)) {
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
  public static String attributes(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return "";
    }
    if (!(node instanceof POJONode pojo) || !(pojo.getPojo() instanceof BodyReader.RawObject json)) {
      throw new BadRequestException(field + " must be a JSON object");
    }
    if (json.bytes() > MAX_ATTRIBUTES_BYTES) {
      throw new BadRequestException(field + " is " + json.bytes() + " bytes of JSON; the limit is " + MAX_ATTRIBUTES_BYTES);
    }
    return json.json();
  }

  public static int intInRange(JsonNode body, String field, int fallback, int min, int max) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
      throw new BadRequestException(field + " must be an integer in " + min + ".." + max);
    }
    return node.intValue();
  }

  public static boolean bool(JsonNode body, String field, boolean fallback) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return fallback;
    }
    if (!node.isBoolean()) {
      throw new BadRequestException(field + " must be true or false");
    }
    return node.booleanValue();
  }

  public static String text(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new BadRequestException(field + " must be a string");
    }
    return node.textValue();
  }

  public static SearchRequest.Merge merge(JsonNode body, String field) {
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

  public static Duration timeout(JsonNode body, String field, Duration fallback) {
    return Duration.ofMillis(intInRange(body, field, (int) fallback.toMillis(), 1, MAX_TIMEOUT_MS));
  }

  static String cut(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }
}
