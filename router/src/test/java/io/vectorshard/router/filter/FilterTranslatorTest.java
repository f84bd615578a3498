package io.vectorshard.router.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorshard.router.http.BadRequestException;
import io.vectorshard.router.http.Json;
import io.vectorshard.router.http.JsonValue;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The exact FILTER expressions the structured filter grammar produces, and what it refuses. */
class FilterTranslatorTest {
  /** A filter as the router reads it: a request body's field. */
  private static JsonValue json(String s) {
    return Json.parse(("{\"filter\": " + s + "}").getBytes(StandardCharsets.UTF_8)).get("filter");
  }

  private static String translate(String filter) {
    return FilterTranslator.translate(json(filter));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "{\"cat\": \"a\"}                                  | .cat == \"a\"",
      "{\"n\": 3}                                        | .n == 3",
      "{\"n\": -3}                                       | .n == -3",
      "{\"n\": 2.5}                                      | .n == 2.5",
      "{\"n\": 12345678901234567890}                     | .n == 12345678901234567890",
      "{\"flag\": true}                                  | .flag == 1",
      "{\"flag\": false}                                 | .flag == 0",
      "{\"n\": {\"$eq\": 4}}                             | .n == 4",
      "{\"cat\": {\"$ne\": \"a\"}}                       | .cat != \"a\"",
      "{\"n\": {\"$gt\": 3}}                             | .n > 3",
      "{\"n\": {\"$gte\": 3}}                            | .n >= 3",
      "{\"n\": {\"$lt\": 3}}                             | .n < 3",
      "{\"n\": {\"$lte\": 0.25}}                         | .n <= 0.25",
      "{\"n\": {\"$gt\": 1, \"$lt\": 5}}                 | (.n > 1 and .n < 5)",
      "{\"cat\": {\"$in\": [\"a\", \"b\"]}}              | (.cat == \"a\" or .cat == \"b\")",
      "{\"cat\": {\"$nin\": [\"a\", 2]}}                 | not (.cat == \"a\" or .cat == 2)",
      "{\"tags\": {\"$contains\": \"red\"}}              | \"red\" in .tags",
      "{\"cat\": \"a\", \"n\": 3}                        | (.cat == \"a\" and .n == 3)",
      "{\"$and\": [{\"a\": 1}, {\"b\": 2}]}              | (.a == 1 and .b == 2)",
      "{\"$or\": [{\"a\": 1}, {\"b\": {\"$gt\": 2}}]}    | (.a == 1 or .b > 2)",
      "{\"$not\": {\"a\": 1}}                            | not (.a == 1)",
      "{\"$or\": [{\"$and\": [{\"a\": 1}, {\"b\": 2}]}, {\"$not\": {\"c\": \"x\"}}]} | ((.a == 1 and .b == 2) or not (.c == \"x\"))",
      "{\"s\": \"say \\\"hi\\\"\"}                       | .s == 'say \"hi\"'",
      "{\"s\": \"it's\"}                                 | .s == \"it's\"",
      "{\"s\": \"x\\\" or 1 == 1 or \\\"\"}              | .s == 'x\" or 1 == 1 or \"'",
      "{\"s\": \"a\\\\b\"}                               | .s == \"a\\b\"",
      "{\"s\": \"ends with two\\\\\\\\\"}                | .s == \"ends with two\\\\\"",
      "{\"_under_score9\": \"\"}                         | ._under_score9 == \"\"",
  })
  void translatesToTheExpectedExpression(String filter, String expected) {
    assertThat(translate(filter)).isEqualTo(expected);
  }

  @Test
  void absentOrEmptyFilterMeansNoFilter() {
    assertThat(FilterTranslator.translate(null)).isNull();
    assertThat(translate("null")).isNull();
    assertThat(translate("{}")).isNull();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "\"cat == 1\"                            | filter must be a JSON object",
      "[{\"a\": 1}]                            | filter must be a JSON object",
      "{\"n\": {\"$regex\": \"a.*\"}}          | unknown operator $regex",
      "{\"$where\": \"1\"}                     | unknown filter operator $where",
      "{\"s\": \"both ' and \\\" quotes\"}     | not both",
      "{\"s\": \"line\\nbreak\"}               | line breaks",
      "{\"s\": \"nul\\u0000\"}                 | NUL",
      "{\"s\": \"ends with one\\\\\"}          | odd number of backslashes",
      "{\"s\": \"ends with three\\\\\\\\\\\\\"}| odd number of backslashes",
      "{\"n\": {\"$gt\": \"3\"}}               | $gt takes a number",
      "{\"n\": {\"$lte\": true}}               | $lte takes a number",
      "{\"cat\": {\"$in\": []}}                | non-empty array",
      "{\"cat\": {\"$nin\": \"a\"}}            | non-empty array",
      "{\"$and\": {\"a\": 1}}                  | non-empty array",
      "{\"$or\": []}                           | non-empty array",
      "{\"$not\": {}}                          | non-empty JSON object",
      "{\"$not\": [{\"a\": 1}]}                | non-empty JSON object",
      "{\"a\": null}                           | filter values must be strings, numbers or booleans",
      "{\"a\": [1, 2]}                         | filter values must be strings, numbers or booleans",
      "{\"a\": {\"$eq\": {\"b\": 1}}}          | filter values must be strings, numbers or booleans",
      "{\"a\": {}}                             | condition on a is empty",
      "{\"tags\": {\"$contains\": [\"x\"]}}    | filter values must be strings, numbers or booleans",
  })
  void refusesMalformedFilters(String filter, String message) {
    assertThatThrownBy(() -> translate(filter)).isInstanceOf(BadRequestException.class).hasMessageContaining(message);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "{\"a.b\": 1}",
      "{\"1abc\": 1}",
      "{\"a b\": 1}",
      "{\"a\\\"b\": 1}",
      "{\"\": 1}",
      "{\"x) or (1\": 1}",
  })
  void refusesFieldNamesThatAreNotPlainIdentifiers(String filter) {
    assertThatThrownBy(() -> translate(filter)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("filter field must match");
  }

  @Test
  void refusesNestingDeeperThanTheLimit() {
    String filter = "{\"a\": 1}";
    for (int i = 0; i < FilterTranslator.MAX_DEPTH - 1; i++) {
      filter = "{\"$not\": " + filter + "}";
    }
    assertThat(translate(filter)).startsWith("not (not (").contains(".a == 1");
    String deeper = "{\"$not\": " + filter + "}";
    assertThatThrownBy(() -> translate(deeper)).isInstanceOf(BadRequestException.class)
        .hasMessageContaining("nests deeper than " + FilterTranslator.MAX_DEPTH);
  }

  @Test
  void refusesTooManyConditions() {
    StringBuilder ok = new StringBuilder("{\"n\": {\"$in\": [");
    StringBuilder tooMany = new StringBuilder("{\"n\": {\"$in\": [");
    for (int i = 0; i < FilterTranslator.MAX_TERMS; i++) {
      ok.append(i == 0 ? "" : ",").append(i);
    }
    for (int i = 0; i <= FilterTranslator.MAX_TERMS; i++) {
      tooMany.append(i == 0 ? "" : ",").append(i);
    }
    assertThat(translate(ok + "]}}")).contains(".n == 127");
    assertThatThrownBy(() -> translate(tooMany + "]}}")).isInstanceOf(BadRequestException.class)
        .hasMessageContaining("more than " + FilterTranslator.MAX_TERMS);
  }

  @Test
  void equalitiesDropTheRoutingKeyAndAndTheRest() {
    assertThat(FilterTranslator.equalities(json("{\"tenant_id\": \"t\", \"cat\": \"a\", \"n\": 2}"), "tenant_id"))
        .isEqualTo(".cat == \"a\" and .n == 2");
    assertThat(FilterTranslator.equalities(json("{\"tenant_id\": \"t\"}"), "tenant_id")).isNull();
    assertThat(FilterTranslator.equalities(null, "tenant_id")).isNull();
    assertThat(FilterTranslator.equalities(json("{\"tenant_id\": \"t\", \"n\": {\"$gte\": 2}}"), "tenant_id"))
        .isEqualTo(".n >= 2");
    assertThatThrownBy(() -> FilterTranslator.equalities(json("[1]"), "tenant_id"))
        .isInstanceOf(BadRequestException.class).hasMessageContaining("filters must be a JSON object");
    assertThatThrownBy(() -> FilterTranslator.equalities(json("{\"$or\": []}"), "tenant_id"))
        .isInstanceOf(BadRequestException.class);
  }

  @Test
  void rawExpressionsPassAsTheyAre() {
    // Their syntax is Redis's to judge, their length QueryLimits'.
    assertThat(FilterTranslator.raw(null)).isNull();
    assertThat(FilterTranslator.raw("  ")).isNull();
    assertThat(FilterTranslator.raw(".year > 1950 and .x == \"y\"")).isEqualTo(".year > 1950 and .x == \"y\"");
  }
}
