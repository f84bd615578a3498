package io.vectorshard.bench;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Request bodies of the router API, written by hand so building them costs little and is exact. */
final class Bodies {
  private Bodies() {}

  /** A vector as a JSON array. */
  static String vector(float[] v) {
    StringBuilder json = new StringBuilder(v.length * 12);
    vector(json, v);
    return json.toString();
  }

  static void vector(StringBuilder json, float[] v) {
    json.append('[');
    for (int i = 0; i < v.length; i++) {
      if (i > 0) {
        json.append(',');
      }
      // Float.toString is the shortest decimal that reads back as exactly this float.
      json.append(Float.toString(v[i]));
    }
    json.append(']');
  }

  /** {@code POST /v1/tenants/{t}/query}; withMetadata null leaves the default (true). */
  static byte[] tenantQuery(float[] v, int topK, int ef, Boolean withMetadata) {
    StringBuilder json = new StringBuilder(v.length * 12 + 80).append("{\"vector\":");
    vector(json, v);
    json.append(",\"topK\":").append(topK).append(",\"ef\":").append(ef);
    if (withMetadata != null) {
      json.append(",\"withMetadata\":").append(withMetadata);
    }
    return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** {@code POST /v1/search} over the listed tenants. */
  static byte[] search(float[] v, int topK, int ef, List<String> tenants, String merge, boolean withMetadata) {
    StringBuilder json = new StringBuilder(v.length * 12 + 200).append("{\"vector\":");
    vector(json, v);
    json.append(",\"topK\":").append(topK).append(",\"ef\":").append(ef).append(",\"withMetadata\":")
        .append(withMetadata).append(",\"merge\":\"").append(merge).append("\",\"tenants\":[");
    for (int i = 0; i < tenants.size(); i++) {
      json.append(i == 0 ? "\"" : ",\"").append(tenants.get(i)).append('"');
    }
    return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** {@code POST /v1/tenants/{t}/vectors:batch} with elements [from, to) of the tenant. */
  static byte[] batch(Dataset.Tenant tenant, int from, int to) {
    StringBuilder json = new StringBuilder((to - from) * (tenant.vectors()[0].length * 12 + 120)).append("{\"vectors\":[");
    for (int i = from; i < to; i++) {
      if (i > from) {
        json.append(',');
      }
      json.append("{\"id\":\"").append(tenant.ids()[i]).append("\",\"vector\":");
      vector(json, tenant.vectors()[i]);
      json.append(",\"metadata\":").append(tenant.attributes()[i]).append('}');
    }
    return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }
}
