package io.vectorshard.router.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorshard.router.http.JsonValue.JsonArray;
import io.vectorshard.router.http.JsonValue.JsonBoolean;
import io.vectorshard.router.http.JsonValue.JsonDecimal;
import io.vectorshard.router.http.JsonValue.JsonInteger;
import io.vectorshard.router.http.JsonValue.JsonNull;
import io.vectorshard.router.http.JsonValue.JsonObject;
import io.vectorshard.router.http.JsonValue.JsonString;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The streaming body reader (pure parsing, no Redis): vectors straight into float32, metadata as
 * compact JSON text, batch items by the same rules, everything else as ordinary JSON trees.
 */
class BodyReaderTest {
  private static JsonObject parse(String json) {
    return Json.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void vectorsAreParsedAsFloat32DirectlyNotThroughADouble() {
    // Rounded to a double first, this decimal lands on the midpoint of two floats and rounds up;
    // the correctly rounded float32 is the lower one.
    String tricky = "1.00000017881393432617187499";
    float[] v = Requests.vector(parse("{\"vector\": [" + tricky + ", -2, 0.5e-3]}"), "vector", 3);
    assertThat(v).containsExactly(Float.parseFloat(tricky), -2f, 0.5e-3f);
    assertThat(Float.floatToIntBits(v[0])).isNotEqualTo(Float.floatToIntBits((float) Double.parseDouble(tricky)));
  }

  @Test
  void theFirstBadElementIsNamedWhateverFollows() {
    assertThatThrownBy(() -> Requests.vector(parse("{\"vector\": [1, [2, 3], 1e39]}"), "vector", 3))
        .hasMessage("vector[1] is not a number");
    assertThatThrownBy(() -> Requests.vector(parse("{\"vector\": [1, 1e39, \"x\"]}"), "vector", 3))
        .hasMessageContaining("vector[1] is not a finite float32");
    assertThatThrownBy(() -> Requests.vector(parse("{\"vector\": [1, null]}"), "vector", 3))
        .hasMessageContaining("has 2 dimensions");
    assertThatThrownBy(() -> Requests.vector(parse("{\"vector\": {\"0\": 1}}"), "vector", 1))
        .hasMessage("vector must be an array of numbers");
    assertThatThrownBy(() -> Requests.vector(parse("{\"vector\": null}"), "vector", 1))
        .hasMessageContaining("vector is required");
  }

  @Test
  void vectorsLongerThanTheInitialBufferAreReadWhole() {
    StringBuilder json = new StringBuilder("{\"query_vector\": [");
    for (int i = 0; i < 1000; i++) {
      json.append(i == 0 ? "" : ",").append(i);
    }
    float[] v = Requests.vector(parse(json.append("]}").toString()), "query_vector", 1000);
    assertThat(v).hasSize(1000);
    assertThat(v[999]).isEqualTo(999f);
  }

  @Test
  void metadataIsKeptAsCompactJsonAndOtherShapesAreRefused() {
    JsonObject body = parse("{\"metadata\": {\"a\": 1, \"b\": [1, 2.5], \"c\": {\"d\": \"x\\\"y\"}, \"e\": null}}");
    assertThat(Requests.attributes(body, "metadata")).isEqualTo("{\"a\":1,\"b\":[1,2.5],\"c\":{\"d\":\"x\\\"y\"},\"e\":null}");
    assertThat(Requests.attributes(parse("{}"), "metadata")).isEmpty();
    assertThatThrownBy(() -> Requests.attributes(parse("{\"metadata\": [1]}"), "metadata"))
        .hasMessage("metadata must be a JSON object");
  }

  @Test
  void batchItemsFollowTheSameRulesAndOtherElementsStayPlainValues() {
    JsonObject body = parse("{\"vectors\": [{\"id\": \"a\", \"vector\": [1, 2], \"metadata\": {\"k\": 1}}, 7, \"x\"]}");
    List<JsonValue> items = ((JsonArray) body.get("vectors")).items();
    assertThat(items).hasSize(3);
    JsonObject first = (JsonObject) items.get(0);
    assertThat(Requests.vector(first, "vector", 2)).containsExactly(1f, 2f);
    assertThat(Requests.attributes(first, "metadata")).isEqualTo("{\"k\":1}");
    assertThat(Requests.text(first, "id")).isEqualTo("a");
    assertThat(items.subList(1, 3)).containsExactly(JsonInteger.of(BigInteger.valueOf(7)), new JsonString("x"));
  }

  @Test
  void otherFieldsAreOrdinaryValuesAtEveryDepth() {
    JsonObject body = parse("{\"filter\": {\"vector\": [1, 2.5], \"metadata\": {\"a\": true}}, \"topK\": 5,"
        + " \"tenants\": [\"a\"], \"x\": null, \"big\": 123456789012345678901234567890, \"huge\": 1e999,"
        + " \"long\": -9223372036854775808}");
    JsonObject filter = (JsonObject) body.get("filter");
    assertThat(filter.get("vector")).isEqualTo(new JsonArray(List.of(JsonInteger.of(BigInteger.ONE), new JsonDecimal(2.5))));
    assertThat(filter.get("metadata")).isEqualTo(new JsonObject(Map.of("a", new JsonBoolean(true))));
    assertThat(body.get("topK")).isEqualTo(JsonInteger.of(BigInteger.valueOf(5)));
    assertThat(body.get("tenants")).isEqualTo(new JsonArray(List.of(new JsonString("a"))));
    assertThat(body.get("x")).isInstanceOf(JsonNull.class);
    assertThat(body.get("big")).isEqualTo(JsonInteger.of(new BigInteger("123456789012345678901234567890")));
    assertThat(body.get("huge")).isEqualTo(new JsonDecimal(Double.POSITIVE_INFINITY));
    assertThat(body.get("long")).isEqualTo(new JsonInteger(Long.MIN_VALUE, null));
    assertThat(((JsonInteger) body.get("big")).bigValue()).isEqualTo(new BigInteger("123456789012345678901234567890"));
    assertThat(body.members().keySet()).containsExactly("filter", "topK", "tenants", "x", "big", "huge", "long");
  }

  @Test
  void integersOutsideTheFieldsRangeAreRefusedNotWrapped() {
    assertThat(Requests.intInRange(parse("{\"topK\": 7}"), "topK", 10, 1, 100)).isEqualTo(7);
    assertThat(Requests.intInRange(parse("{\"topK\": null}"), "topK", 10, 1, 100)).isEqualTo(10);
    for (String bad : List.of("4294967303", "9223372036854775808", "-9223372036854775809", "7.0", "\"7\"", "0", "101", "-1")) {
      assertThatThrownBy(() -> Requests.intInRange(parse("{\"topK\": " + bad + "}"), "topK", 10, 1, 100))
          .hasMessage("topK must be an integer in 1..100");
    }
  }

  @Test
  void nestingDeeperThanTheLimitIsRefused() {
    String deep = "[".repeat(70) + "]".repeat(70);
    assertThatThrownBy(() -> parse("{\"filter\": " + deep + "}")).isInstanceOf(BadRequestException.class)
        .hasMessageContaining("malformed JSON");
    assertThat(parse("{\"filter\": " + "[".repeat(60) + "]".repeat(60) + "}").get("filter")).isInstanceOf(JsonArray.class);
  }

  @Test
  void duplicateKeysAreRefusedAndTheMessageStaysShort() {
    String key = "k".repeat(10_000);
    assertThatThrownBy(() -> parse("{\"filter\": {\"" + key + "\": 1, \"" + key + "\": 2}}"))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("Duplicate")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
  }

  @Test
  void anythingAfterTheObjectIsRefused() {
    assertThatThrownBy(() -> parse("{\"topK\": 1} {}")).isInstanceOf(BadRequestException.class)
        .hasMessageContaining("malformed JSON");
    assertThatThrownBy(() -> parse("{\"topK\": 1} 5")).hasMessageContaining("malformed JSON");
  }
}
