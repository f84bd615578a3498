package io.vectorshard.router.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The streaming body reader (pure parsing, no Redis): vectors straight into float32, metadata as
 * compact JSON text, batch items by the same rules, everything else as ordinary JSON trees.
 */
class BodyReaderTest {
  private static ObjectNode parse(String json) {
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
    ObjectNode body = parse("{\"metadata\": {\"a\": 1, \"b\": [1, 2.5], \"c\": {\"d\": \"x\\\"y\"}, \"e\": null}}");
    assertThat(Requests.attributes(body, "metadata")).isEqualTo("{\"a\":1,\"b\":[1,2.5],\"c\":{\"d\":\"x\\\"y\"},\"e\":null}");
    assertThat(Requests.attributes(parse("{}"), "metadata")).isEmpty();
    assertThatThrownBy(() -> Requests.attributes(parse("{\"metadata\": [1]}"), "metadata"))
        .hasMessage("metadata must be a JSON object");
  }

  @Test
  void batchItemsFollowTheSameRulesAndOtherElementsStayTrees() {
    ObjectNode body = parse("{\"vectors\": [{\"id\": \"a\", \"vector\": [1, 2], \"metadata\": {\"k\": 1}}, 7, \"x\"]}");
    JsonNode items = body.get("vectors");
    assertThat(items.size()).isEqualTo(3);
    assertThat(Requests.vector(items.get(0), "vector", 2)).containsExactly(1f, 2f);
    assertThat(Requests.attributes(items.get(0), "metadata")).isEqualTo("{\"k\":1}");
    assertThat(Requests.text(items.get(0), "id")).isEqualTo("a");
    assertThat(items.get(1).intValue()).isEqualTo(7);
    assertThat(items.get(2).textValue()).isEqualTo("x");
  }

  @Test
  void otherFieldsAreOrdinaryTrees() {
    ObjectNode body = parse("{\"filter\": {\"vector\": [1, 2]}, \"topK\": 5, \"tenants\": [\"a\"], \"x\": null}");
    assertThat(body.get("filter").get("vector").isArray()).isTrue();
    assertThat(body.get("topK").intValue()).isEqualTo(5);
    assertThat(body.get("tenants").get(0).textValue()).isEqualTo("a");
    assertThat(body.get("x").isNull()).isTrue();
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
