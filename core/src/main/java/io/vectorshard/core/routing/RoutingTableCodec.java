package io.vectorshard.core.routing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.vectorshard.api.VectorsSpec;
import io.vectorshard.core.placement.Placement;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The routing table's JSON form, as stored in {@code vsc:routing} and the routing ConfigMap, written
 * and read field by field with Jackson's streaming API. This class is the form's one definition.
 *
 * <p>Why not bind the records with Jackson's databind: every router loads the table on its way to
 * ready, and databind's first binding (introspecting the records and their annotations) was most
 * of that load, about 0.1 s of CPU that a sidecar's start could not spare (docs/benchmarks.md,
 * "Sidecar footprint"); streaming reads the same table in a fraction of it.
 *
 * <p>Writing is deterministic: fields in a fixed order, map entries by key, so the same table
 * always gives the same bytes (publishing compares them). Reading is strict: an unknown or repeated
 * field, a missing one, or a value of the wrong type fails the read, so a router never silently
 * ignores a part of the table it does not understand (a future transition, say) and routes by the
 * rest.
 */
public final class RoutingTableCodec {
  private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private RoutingTableCodec() {}

  public static String toJson(RoutingTable table) {
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("cluster", table.cluster());
      g.writeNumberField("epoch", table.epoch());
      VectorSettings v = table.vectors();
      g.writeObjectFieldStart("vectors");
      g.writeNumberField("dimensions", v.dimensions());
      g.writeStringField("quantization", v.quantization().name());
      g.writeNumberField("m", v.m());
      g.writeNumberField("efConstruction", v.efConstruction());
      g.writeEndObject();
      g.writeArrayFieldStart("shards");
      for (ShardEndpoint s : table.shards()) {
        g.writeStartObject();
        g.writeNumberField("ordinal", s.ordinal());
        g.writeStringField("id", s.id());
        g.writeStringField("host", s.host());
        g.writeNumberField("port", s.port());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeFieldName("placement");
      write(g, table.placement());
      Transition t = table.transition();
      if (t != null) {
        g.writeObjectFieldStart("transition");
        g.writeFieldName("from");
        write(g, t.from());
        g.writeArrayFieldStart("streams");
        for (Transition.StreamedBucket s : t.streams()) {
          g.writeStartObject();
          g.writeStringField("tenant", s.tenant());
          g.writeNumberField("bucket", s.bucket());
          g.writeStringField("phase", s.phase().name());
          g.writeEndObject();
        }
        g.writeEndArray();
        if (!t.rebuckets().isEmpty()) { // absent rather than empty: the form tables had before re-bucketing
          g.writeArrayFieldStart("rebuckets");
          for (Transition.RebucketedTenant r : t.rebuckets()) {
            g.writeStartObject();
            g.writeStringField("tenant", r.tenant());
            g.writeStringField("phase", r.phase().name());
            g.writeEndObject();
          }
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("a StringWriter does not fail", e);
    }
    return out.toString();
  }

  private static void write(JsonGenerator g, Placement p) throws IOException {
    g.writeStartObject();
    g.writeNumberField("shards", p.shards());
    g.writeNumberField("defaultBuckets", p.defaultBuckets());
    g.writeObjectFieldStart("pinned");
    for (Map.Entry<String, List<Integer>> e : new TreeMap<>(p.pinned()).entrySet()) {
      g.writeArrayFieldStart(e.getKey());
      for (int ordinal : e.getValue()) {
        g.writeNumber(ordinal);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
    g.writeObjectFieldStart("spread");
    for (Map.Entry<String, Integer> e : new TreeMap<>(p.spread()).entrySet()) {
      g.writeNumberField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  /**
   * The table {@code json} holds; {@link IllegalArgumentException} saying what is wrong when it is
   * not JSON, not this form, or not a valid table (the records' own checks).
   */
  public static RoutingTable fromJson(String json) {
    try (JsonParser p = JSON.createParser(json)) {
      Reader reader = new Reader(p);
      p.nextToken();
      RoutingTable table = reader.table();
      if (p.nextToken() != null) {
        throw Reader.invalid("content after the table");
      }
      return table;
    } catch (JsonProcessingException e) {
      throw new NotATable(e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading a String does not fail", e);
    } catch (NotATable e) {
      throw e;
    } catch (IllegalArgumentException e) { // a record's own check: shards out of order, say
      throw new NotATable(e.getMessage(), e);
    }
  }

  /** Every reason a read fails, under one message prefix. */
  private static final class NotATable extends IllegalArgumentException {
    NotATable(String message, Throwable cause) {
      super("not a routing table this router understands: " + message, cause);
    }
  }

  /**
   * Reads one value per method, each starting on the value's first token and ending on its last.
   * Fields come in any order; {@link #required} turns a missing one into an error naming it.
   */
  private record Reader(JsonParser p) {
    RoutingTable table() throws IOException {
      String cluster = null;
      Long epoch = null;
      VectorSettings vectors = null;
      List<ShardEndpoint> shards = null;
      Placement placement = null;
      Transition transition = null;
      start("the table");
      for (String field = nextField(); field != null; field = nextField()) {
        switch (field) {
          case "cluster" -> cluster = text(field);
          case "epoch" -> epoch = longInteger(field);
          case "vectors" -> vectors = vectors();
          case "shards" -> shards = shards();
          case "placement" -> placement = placement("placement");
          case "transition" -> transition = p.currentToken() == JsonToken.VALUE_NULL ? null : transition();
          default -> throw unknown(field, "the table");
        }
      }
      return new RoutingTable(required(cluster, "cluster", "the table"), required(epoch, "epoch", "the table"),
          required(vectors, "vectors", "the table"), required(shards, "shards", "the table"),
          required(placement, "placement", "the table"), transition);
    }

    VectorSettings vectors() throws IOException {
      Integer dimensions = null;
      VectorsSpec.Quantization quantization = null;
      Integer m = null;
      Integer efConstruction = null;
      start("vectors");
      for (String field = nextField(); field != null; field = nextField()) {
        switch (field) {
          case "dimensions" -> dimensions = integer(field);
          case "quantization" -> quantization = constant(VectorsSpec.Quantization.class, field);
          case "m" -> m = integer(field);
          case "efConstruction" -> efConstruction = integer(field);
          default -> throw unknown(field, "vectors");
        }
      }
      return new VectorSettings(required(dimensions, "dimensions", "vectors"), required(quantization, "quantization", "vectors"),
          required(m, "m", "vectors"), required(efConstruction, "efConstruction", "vectors"));
    }

    List<ShardEndpoint> shards() throws IOException {
      List<ShardEndpoint> shards = new ArrayList<>();
      array("shards");
      while (p.nextToken() != JsonToken.END_ARRAY) {
        Integer ordinal = null;
        String id = null;
        String host = null;
        Integer port = null;
        start("a shard");
        for (String field = nextField(); field != null; field = nextField()) {
          switch (field) {
            case "ordinal" -> ordinal = integer(field);
            case "id" -> id = text(field);
            case "host" -> host = text(field);
            case "port" -> port = integer(field);
            default -> throw unknown(field, "a shard");
          }
        }
        shards.add(new ShardEndpoint(required(ordinal, "ordinal", "a shard"), required(id, "id", "a shard"),
            required(host, "host", "a shard"), required(port, "port", "a shard")));
      }
      return shards;
    }

    Placement placement(String what) throws IOException {
      Integer shards = null;
      Integer defaultBuckets = null;
      Map<String, List<Integer>> pinned = new TreeMap<>();
      Map<String, Integer> spread = new TreeMap<>();
      start(what);
      for (String field = nextField(); field != null; field = nextField()) {
        switch (field) {
          case "shards" -> shards = integer(field);
          case "defaultBuckets" -> defaultBuckets = integer(field);
          case "pinned" -> {
            start("pinned");
            for (String tenant = nextField(); tenant != null; tenant = nextField()) {
              List<Integer> ordinals = new ArrayList<>();
              array("pinned." + tenant);
              while (p.nextToken() != JsonToken.END_ARRAY) {
                ordinals.add(integer("pinned." + tenant));
              }
              pinned.put(tenant, ordinals);
            }
          }
          case "spread" -> {
            start("spread");
            for (String tenant = nextField(); tenant != null; tenant = nextField()) {
              spread.put(tenant, integer("spread." + tenant));
            }
          }
          default -> throw unknown(field, what);
        }
      }
      return new Placement(required(shards, "shards", what), required(defaultBuckets, "defaultBuckets", what), pinned, spread);
    }

    Transition transition() throws IOException {
      Placement from = null;
      List<Transition.StreamedBucket> streams = new ArrayList<>();
      List<Transition.RebucketedTenant> rebuckets = new ArrayList<>();
      start("transition");
      for (String field = nextField(); field != null; field = nextField()) {
        switch (field) {
          case "from" -> from = placement("transition.from");
          case "streams" -> {
            array(field);
            while (p.nextToken() != JsonToken.END_ARRAY) {
              streams.add(streamedBucket());
            }
          }
          case "rebuckets" -> {
            array(field);
            while (p.nextToken() != JsonToken.END_ARRAY) {
              rebuckets.add(rebucketedTenant());
            }
          }
          default -> throw unknown(field, "transition");
        }
      }
      return new Transition(required(from, "from", "transition"), streams, rebuckets);
    }

    Transition.StreamedBucket streamedBucket() throws IOException {
      String tenant = null;
      Integer bucket = null;
      Transition.Phase phase = null;
      start("a stream");
      for (String field = nextField(); field != null; field = nextField()) {
        switch (field) {
          case "tenant" -> tenant = text(field);
          case "bucket" -> bucket = integer(field);
          case "phase" -> phase = constant(Transition.Phase.class, field);
          default -> throw unknown(field, "a stream");
        }
      }
      return new Transition.StreamedBucket(required(tenant, "tenant", "a stream"), required(bucket, "bucket", "a stream"),
          required(phase, "phase", "a stream"));
    }

    Transition.RebucketedTenant rebucketedTenant() throws IOException {
      String tenant = null;
      Transition.Phase phase = null;
      start("a re-bucketing");
      for (String field = nextField(); field != null; field = nextField()) {
        switch (field) {
          case "tenant" -> tenant = text(field);
          case "phase" -> phase = constant(Transition.Phase.class, field);
          default -> throw unknown(field, "a re-bucketing");
        }
      }
      return new Transition.RebucketedTenant(required(tenant, "tenant", "a re-bucketing"), required(phase, "phase", "a re-bucketing"));
    }

    /** The next field of the object being read, the parser on its value's first token; null at the object's end. */
    String nextField() throws IOException {
      if (p.nextToken() != JsonToken.FIELD_NAME) {
        return null;
      }
      String name = p.currentName();
      p.nextToken();
      return name;
    }

    void start(String what) {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw invalid(what + " must be an object, got " + p.currentToken());
      }
    }

    void array(String what) {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        throw invalid(what + " must be an array, got " + p.currentToken());
      }
    }

    String text(String field) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        throw invalid(field + " must be a string, got " + p.currentToken());
      }
      return p.getText();
    }

    void number(String field) {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
        throw invalid(field + " must be an integer, got " + p.currentToken());
      }
    }

    int integer(String field) throws IOException {
      number(field);
      if (p.getNumberType() != JsonParser.NumberType.INT) {
        throw invalid(field + " " + p.getText() + " is out of range");
      }
      return p.getIntValue();
    }

    long longInteger(String field) throws IOException {
      number(field);
      if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        throw invalid(field + " " + p.getText() + " is out of range");
      }
      return p.getLongValue();
    }

    <E extends Enum<E>> E constant(Class<E> type, String field) throws IOException {
      String name = text(field);
      for (E e : type.getEnumConstants()) {
        if (e.name().equals(name)) {
          return e;
        }
      }
      throw invalid(field + " " + name + " is not one of " + List.of(type.getEnumConstants()));
    }

    static <T> T required(T value, String field, String what) {
      if (value == null) {
        throw invalid(what + " has no " + field);
      }
      return value;
    }

    static IllegalArgumentException unknown(String field, String what) {
      return invalid("unknown field " + field + " in " + what);
    }

    static IllegalArgumentException invalid(String message) {
      return new NotATable(message, null);
    }
  }
}
