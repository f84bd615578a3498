package io.vectorshard.core.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The routing table's JSON form, as stored in {@code vsc:routing} and the routing ConfigMap.
 * Unknown fields fail the read: a router must not silently ignore a part of the table it does not
 * understand (a future transition, say) and route by the rest.
 */
public final class RoutingTableCodec {
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();

  private RoutingTableCodec() {}

  public static String toJson(RoutingTable table) {
    try {
      return JSON.writeValueAsString(table);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("routing table is not serializable", e);
    }
  }

  public static RoutingTable fromJson(String json) {
    try {
      return JSON.readValue(json, RoutingTable.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a routing table this router understands: " + e.getOriginalMessage(), e);
    }
  }
}
