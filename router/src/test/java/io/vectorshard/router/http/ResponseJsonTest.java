package io.vectorshard.router.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.vectorshard.router.query.Match;
import io.vectorshard.core.redis.ShardException;
import io.vectorshard.router.query.SearchResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The generator-written answers are byte for byte what serializing the former JSON trees (with
 * databind, which the router no longer has) gave.
 */
class ResponseJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static byte[] write(Object tree) {
    try {
      return MAPPER.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The former tree of a list of matches (RouterApi before ResponseJson). */
  private static ArrayNode tree(List<Match> matches, boolean withTenant) {
    ArrayNode array = MAPPER.createArrayNode();
    for (Match m : matches) {
      ObjectNode item = array.addObject().put("id", m.id()).put("score", m.score());
      if (withTenant) {
        item.put("tenant", m.tenant());
      }
      if (m.attributes() == null || m.attributes().isEmpty()) {
        item.putObject("metadata");
      } else {
        item.putRawValue("metadata", new RawValue(m.attributes()));
      }
    }
    return array;
  }

  private static List<Match> matches(Random random, int n) {
    String[] attributes = {null, "", "{\"a\":1}", "{\"t\":\"caf\u00e9 \\\"q\\\" \u2603\",\"n\":[1,2.5e-7,null]}"};
    double[] special = {0, -0.0, 1, 0.5, 1e-300, 123456789.125, Double.MIN_VALUE, 0.1 + 0.2};
    List<Match> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double score = random.nextInt(4) == 0 ? special[random.nextInt(special.length)] : random.nextDouble();
      String id = switch (random.nextInt(4)) {
        case 0 -> "doc-" + i;
        case 1 -> "quote\"back\\slash\u0001ctl";
        case 2 -> "emoji \uD83D\uDE00 \u00e9";
        default -> "</script>" + i;
      };
      out.add(new Match("tenant-" + random.nextInt(3), id, score, "shard-0", "k", attributes[random.nextInt(attributes.length)]));
    }
    return out;
  }

  @Test
  void tenantQuerySearchAndListMatchTheTrees() {
    Random random = new Random(11);
    for (int round = 0; round < 200; round++) {
      List<Match> matches = matches(random, random.nextInt(12));
      long epoch = random.nextInt(3) == 0 ? Long.MAX_VALUE : random.nextInt(1000);
      List<SearchResult.MissingShard> missing = random.nextBoolean() ? List.of()
          : List.of(new SearchResult.MissingShard("shard-1", ShardException.Reason.TIMEOUT, "timed out after 5 ms"),
              new SearchResult.MissingShard("shard-2", ShardException.Reason.LOADING, null));
      SearchResult result = new SearchResult(matches, !missing.isEmpty(), missing, epoch);

      ObjectNode tenantTree = MAPPER.createObjectNode().put("tenant", "acme").put("epoch", epoch);
      tenantTree.set("results", tree(matches, false));
      assertThat(new String(ResponseJson.tenantQuery("acme", result)))
          .isEqualTo(new String(write(tenantTree)));

      ObjectNode searchTree = MAPPER.createObjectNode();
      searchTree.set("results", tree(matches, true));
      searchTree.put("partial", result.partial());
      ArrayNode missingTree = searchTree.putArray("missingShards");
      missing.forEach(m -> missingTree.addObject().put("shard", m.shard()).put("reason", m.reason().label())
          .put("error", m.error()));
      searchTree.put("epoch", epoch);
      assertThat(ResponseJson.search(result)).isEqualTo(write(searchTree));

      assertThat(ResponseJson.list(matches)).isEqualTo(write(tree(matches, true)));
    }
  }

  @Test
  void smallAnswersMatchTheTrees() {
    Random random = new Random(5);
    String[] texts = {"", "acme", "quote\"back\\slash\u0001ctl", "emoji \uD83D\uDE00 \u00e9", "</script>", null};
    String[] attributes = {null, "", "{\"a\":1}", "{\"t\":\"caf\u00e9\",\"n\":[1,2.5e-7,null]}"};
    float[] special = {0, -0f, 1, 0.1f, Float.MIN_VALUE, Float.MAX_VALUE, 1e-7f, 123456.79f};
    for (int round = 0; round < 200; round++) {
      ResponseJson.Fields fields = ResponseJson.object();
      ObjectNode tree = MAPPER.createObjectNode();
      int count = random.nextInt(6);
      for (int f = 0; f < count; f++) {
        String name = "f" + f;
        switch (random.nextInt(5)) {
          case 0 -> {
            String text = texts[random.nextInt(texts.length)];
            fields.put(name, text);
            tree.put(name, text);
          }
          case 1 -> {
            long n = random.nextBoolean() ? random.nextLong() : random.nextInt(100);
            fields.put(name, n);
            tree.put(name, n);
          }
          case 2 -> {
            boolean b = random.nextBoolean();
            fields.put(name, b);
            tree.put(name, b);
          }
          case 3 -> {
            float[] vector = new float[random.nextInt(5)];
            for (int d = 0; d < vector.length; d++) {
              vector[d] = random.nextBoolean() ? special[random.nextInt(special.length)] : random.nextFloat() - 0.5f;
            }
            fields.put(name, vector);
            ArrayNode array = tree.putArray(name);
            for (float v : vector) {
              array.add(v);
            }
          }
          default -> {
            String stored = attributes[random.nextInt(attributes.length)];
            fields.putMetadata(name, stored);
            if (stored == null || stored.isEmpty()) {
              tree.putObject(name);
            } else {
              tree.putRawValue(name, new RawValue(stored));
            }
          }
        }
      }
      assertThat(new String(fields.toBytes())).isEqualTo(new String(write(tree)));
    }
  }
}
