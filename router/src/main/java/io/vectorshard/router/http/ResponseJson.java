package io.vectorshard.router.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.vectorshard.router.query.Match;
import io.vectorshard.router.query.SearchResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The router's answers, written with Jackson's generator straight to bytes: the query answers here,
 * the small ones with {@link Fields}. Building them as a JSON tree first (an {@code ObjectNode},
 * i.e. a LinkedHashMap, per match) and serializing the tree made the same bytes with more
 * allocation and work; ResponseJsonTest checks that both give identical bytes.
 */
final class ResponseJson {
  private ResponseJson() {}

  /** A flat JSON object, written as its fields are added: the answers of writes, probes and errors. */
  static Fields object() {
    return new Fields();
  }

  static final class Fields {
    private final ByteArrayBuilder bytes = new ByteArrayBuilder(128);
    private final JsonGenerator g;

    private Fields() {
      try {
        g = Json.FACTORY.createGenerator(bytes, JsonEncoding.UTF8);
        g.writeStartObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e); // into memory: never
      }
    }

    Fields put(String name, String value) {
      return field(out -> out.writeStringField(name, value));
    }

    Fields put(String name, long value) {
      return field(out -> out.writeNumberField(name, value));
    }

    Fields put(String name, boolean value) {
      return field(out -> out.writeBooleanField(name, value));
    }

    Fields put(String name, float[] values) {
      return field(out -> {
        out.writeArrayFieldStart(name);
        for (float f : values) {
          out.writeNumber(f);
        }
        out.writeEndArray();
      });
    }

    /** Stored metadata ({@link #metadata}): JSON written by this router, embedded as it is. */
    Fields putMetadata(String name, String attributes) {
      return field(out -> {
        out.writeFieldName(name);
        metadata(out, attributes);
      });
    }

    byte[] toBytes() {
      field(out -> {
        out.writeEndObject();
        out.close();
      });
      return bytes.toByteArray();
    }

    private Fields field(Body write) {
      try {
        write.write(g);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }
  }

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  /** {@code {"tenant", "epoch", "results": [{"id", "score", "metadata"}]}} of a tenant query. */
  static byte[] tenantQuery(String tenant, SearchResult result) {
    return write(g -> {
      g.writeStartObject();
      g.writeStringField("tenant", tenant);
      g.writeNumberField("epoch", result.epoch());
      g.writeFieldName("results");
      matches(g, result.matches(), false);
      g.writeEndObject();
    });
  }

  /** {@code {"results": [...with tenant], "partial", "missingShards": [{"shard", "error"}], "epoch"}}. */
  static byte[] search(SearchResult result) {
    return write(g -> {
      g.writeStartObject();
      g.writeFieldName("results");
      matches(g, result.matches(), true);
      g.writeBooleanField("partial", result.partial());
      g.writeArrayFieldStart("missingShards");
      for (SearchResult.MissingShard m : result.missing()) {
        g.writeStartObject();
        g.writeStringField("shard", m.shard());
        g.writeStringField("reason", m.reason().label());
        g.writeStringField("error", m.error());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeNumberField("epoch", result.epoch());
      g.writeEndObject();
    });
  }

  /** The bare list of matches, each with its tenant (the RAG article's routes). */
  static byte[] list(List<Match> matches) {
    return write(g -> matches(g, matches, true));
  }

  private static void matches(JsonGenerator g, List<Match> matches, boolean withTenant) throws IOException {
    g.writeStartArray();
    for (Match m : matches) {
      g.writeStartObject();
      g.writeStringField("id", m.id());
      g.writeNumberField("score", m.score());
      if (withTenant) {
        g.writeStringField("tenant", m.tenant());
      }
      g.writeFieldName("metadata");
      metadata(g, m.attributes());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /** Attributes are stored as JSON written by this router, so they are embedded as they are. */
  private static void metadata(JsonGenerator g, String attributes) throws IOException {
    if (attributes == null || attributes.isEmpty()) {
      g.writeStartObject();
      g.writeEndObject();
    } else {
      g.writeRawValue(attributes);
    }
  }

  private static byte[] write(Body body) {
    try (ByteArrayBuilder bytes = new ByteArrayBuilder(512)) {
      try (JsonGenerator g = Json.FACTORY.createGenerator(bytes, JsonEncoding.UTF8)) {
        body.write(g);
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
