package io.vectorshard.router.filter;

import io.vectorshard.core.tenant.Names;
import io.vectorshard.router.http.BadRequestException;
import io.vectorshard.router.http.JsonValue;
import io.vectorshard.router.http.JsonValue.JsonArray;
import io.vectorshard.router.http.JsonValue.JsonBoolean;
import io.vectorshard.router.http.JsonValue.JsonDecimal;
import io.vectorshard.router.http.JsonValue.JsonInteger;
import io.vectorshard.router.http.JsonValue.JsonObject;
import io.vectorshard.router.http.JsonValue.JsonString;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a structured JSON filter into a {@code VSIM ... FILTER} expression.
 *
 * <p>The grammar, Mongo-like: an object whose keys are metadata fields (value = equality, or an
 * operator object {@code {"$gt": 3}}) or the combinators {@code $and}, {@code $or} (arrays of
 * filters) and {@code $not} (a filter); sibling keys are ANDed. Operators: {@code $eq $ne $gt $gte
 * $lt $lte $in $nin $contains}. Values: strings, finite numbers, booleans (stored JSON booleans
 * read as 1/0 in Redis filters).
 *
 * <p>Nothing a client writes here can leave its literal: field names are checked against
 * {@link Names#FIELD}, numbers are re-printed from their parsed value, and strings are quoted with
 * a quote character they do not contain (Redis' filter parser has no escapes, so a string holding
 * both quote characters is refused). A backslash makes that parser skip the next character while it
 * looks for the closing quote but stays part of the string, so backslashes match themselves except
 * at the very end: a string ending in an odd number of them is refused.
 */
public final class FilterTranslator {
  public static final int MAX_DEPTH = 8;
  public static final int MAX_TERMS = 128;

  private int terms;

  private FilterTranslator() {}

  /** The expression for a filter object, or null when the filter is absent or empty. */
  public static String translate(JsonValue filter) {
    if (JsonValue.absent(filter)) {
      return null;
    }
    if (!(filter instanceof JsonObject object)) {
      throw new BadRequestException("filter must be a JSON object");
    }
    if (object.isEmpty()) {
      return null;
    }
    return new FilterTranslator().object(object, 0);
  }

  /** Equality filters from a flat map (the RAG article's {@code filters}), minus the routing key. */
  public static String equalities(JsonValue filters, String excludedField) {
    if (JsonValue.absent(filters)) {
      return null;
    }
    if (!(filters instanceof JsonObject object)) {
      throw new BadRequestException("filters must be a JSON object");
    }
    FilterTranslator translator = new FilterTranslator();
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, JsonValue> e : object.members().entrySet()) {
      if (e.getKey().equals(excludedField)) {
        continue;
      }
      parts.add(translator.field(e.getKey(), e.getValue(), 1));
    }
    return parts.isEmpty() ? null : String.join(" and ", parts);
  }

  /**
   * A raw expression, or null when blank. Its syntax is Redis' to judge (errors become 400s), its
   * length the query limits' ({@code QueryLimits.filterEf}).
   */
  public static String raw(String expression) {
    if (expression == null || expression.isBlank()) {
      return null;
    }
    return expression;
  }

  private String object(JsonValue node, int depth) {
    if (depth >= MAX_DEPTH) {
      throw new BadRequestException("filter nests deeper than " + MAX_DEPTH + " levels");
    }
    if (!(node instanceof JsonObject object) || object.isEmpty()) {
      throw new BadRequestException("each filter must be a non-empty JSON object");
    }
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, JsonValue> e : object.members().entrySet()) {
      String key = e.getKey();
      JsonValue value = e.getValue();
      switch (key) {
        case "$and" -> parts.add(combine(value, " and ", depth));
        case "$or" -> parts.add(combine(value, " or ", depth));
        case "$not" -> parts.add("not (" + object(value, depth + 1) + ")");
        default -> parts.add(field(key, value, depth));
      }
    }
    return parts.size() == 1 ? parts.get(0) : "(" + String.join(" and ", parts) + ")";
  }

  private String combine(JsonValue list, String operator, int depth) {
    if (!(list instanceof JsonArray array) || array.isEmpty()) {
      throw new BadRequestException("$and / $or take a non-empty array of filters");
    }
    List<String> parts = new ArrayList<>();
    array.items().forEach(item -> parts.add(object(item, depth + 1)));
    return "(" + String.join(operator, parts) + ")";
  }

  private String field(String name, JsonValue condition, int depth) {
    if (name.startsWith("$")) {
      throw new BadRequestException("unknown filter operator " + name + " (known: $and $or $not)");
    }
    String selector = "." + Names.field(name);
    if (!(condition instanceof JsonObject operators)) {
      return term(selector + " == " + literal(condition));
    }
    if (operators.isEmpty()) {
      throw new BadRequestException("condition on " + name + " is empty");
    }
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, JsonValue> op : operators.members().entrySet()) {
      JsonValue v = op.getValue();
      parts.add(switch (op.getKey()) {
        case "$eq" -> term(selector + " == " + literal(v));
        case "$ne" -> term(selector + " != " + literal(v));
        case "$gt" -> term(selector + " > " + number(v, op.getKey()));
        case "$gte" -> term(selector + " >= " + number(v, op.getKey()));
        case "$lt" -> term(selector + " < " + number(v, op.getKey()));
        case "$lte" -> term(selector + " <= " + number(v, op.getKey()));
        case "$in" -> anyOf(selector, v, false);
        case "$nin" -> anyOf(selector, v, true);
        case "$contains" -> term(literal(v) + " in " + selector);
        default -> throw new BadRequestException("unknown operator " + op.getKey() + " on " + name
            + " (known: $eq $ne $gt $gte $lt $lte $in $nin $contains)");
      });
    }
    return parts.size() == 1 ? parts.get(0) : "(" + String.join(" and ", parts) + ")";
  }

  private String anyOf(String selector, JsonValue values, boolean negate) {
    if (!(values instanceof JsonArray array) || array.isEmpty()) {
      throw new BadRequestException("$in / $nin take a non-empty array of values");
    }
    List<String> parts = new ArrayList<>();
    array.items().forEach(v -> parts.add(term(selector + " == " + literal(v))));
    String any = "(" + String.join(" or ", parts) + ")";
    return negate ? "not " + any : any;
  }

  private String term(String expression) {
    if (++terms > MAX_TERMS) {
      throw new BadRequestException("filter has more than " + MAX_TERMS + " conditions");
    }
    return expression;
  }

  private static String number(JsonValue v, String op) {
    if (!(v instanceof JsonInteger || v instanceof JsonDecimal)) {
      throw new BadRequestException(op + " takes a number");
    }
    return literal(v);
  }

  static String literal(JsonValue v) {
    return switch (v) {
      case JsonBoolean(boolean b) -> b ? "1" : "0";
      case JsonInteger i -> i.bigValue().toString();
      case JsonDecimal(double d) -> {
        if (!Double.isFinite(d)) {
          throw new BadRequestException("filter numbers must be finite");
        }
        yield BigDecimal.valueOf(d).toPlainString();
      }
      case JsonString(String s) -> quoted(s);
      default -> throw new BadRequestException("filter values must be strings, numbers or booleans, got " + v.kind());
    };
  }

  private static String quoted(String s) {
    if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('\0') >= 0) {
      throw new BadRequestException("filter strings must not contain line breaks or NUL");
    }
    if (endsWithOddBackslashes(s)) {
      // Redis' filter parser skips the character after a backslash when looking for the closing
      // quote (and keeps both raw), so an odd run of trailing backslashes would swallow the quote.
      throw new BadRequestException("a filter string must not end with an odd number of backslashes"
          + " (Redis filters have no escapes)");
    }
    if (s.indexOf('"') < 0) {
      return "\"" + s + "\"";
    }
    if (s.indexOf('\'') < 0) {
      return "'" + s + "'";
    }
    throw new BadRequestException("a filter string may contain ' or \" but not both (Redis filters have no escapes)");
  }

  private static boolean endsWithOddBackslashes(String s) {
    int run = 0;
    for (int i = s.length() - 1; i >= 0 && s.charAt(i) == '\\'; i--) {
      run++;
    }
    return run % 2 == 1;
  }
}
