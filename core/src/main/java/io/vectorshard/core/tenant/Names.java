package io.vectorshard.core.tenant;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Validation of every client-supplied name that reaches Redis (contract 1). Tenant ids become part
 * of key names, so their alphabet excludes the key separator {@code :} and the hash-tag braces;
 * vector ids are element names inside a tenant's own keys, so they only need bounds (and to be
 * valid Unicode, so that their UTF-8 bytes name exactly one id).
 */
public final class Names {
  public static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  public static final int MAX_VECTOR_ID_BYTES = 512;
  /** Metadata field names usable in filters: what VSIM's {@code .field} selector accepts. */
  public static final Pattern FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
  public static final Pattern CLUSTER = Pattern.compile("[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?");

  private Names() {}

  public static String tenant(String tenant) {
    if (tenant == null || !isTenant(tenant)) {
      throw new InvalidNameException("tenant id must match " + TENANT.pattern() + ", got " + quote(tenant));
    }
    return tenant;
  }

  /**
   * {@code TENANT.matcher(tenant).matches()} without the regex engine: every request checks a tenant
   * id at least twice (its path, its key names), and the matcher showed in the profile.
   */
  static boolean isTenant(String s) {
    int n = s.length();
    if (n < 1 || n > 128 || !alphanumeric(s.charAt(0))) {
      return false;
    }
    for (int i = 1; i < n; i++) {
      char c = s.charAt(i);
      if (!alphanumeric(c) && c != '.' && c != '_' && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean alphanumeric(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  public static String vectorId(String id) {
    if (id == null || id.isEmpty()) {
      throw new InvalidNameException("vector id must not be empty");
    }
    if (id.equals(".") || id.equals("..")) {
      // HTTP clients and proxies remove such path segments, so the id could never be addressed.
      throw new InvalidNameException("vector id must not be \".\" or \"..\"");
    }
    if (id.getBytes(StandardCharsets.UTF_8).length > MAX_VECTOR_ID_BYTES) {
      throw new InvalidNameException("vector id must be at most " + MAX_VECTOR_ID_BYTES + " bytes of UTF-8");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isISOControl(c)) {
        throw new InvalidNameException("vector id must not contain control characters");
      }
      if (Character.isHighSurrogate(c) && i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) {
        i++; // a well-formed pair: one code point outside the BMP
      } else if (Character.isSurrogate(c)) {
        // UTF-8 cannot encode it: Java writes '?' instead, so "a\uD800" would become the element "a?"
        // and collide with that id.
        throw new InvalidNameException("vector id must be valid Unicode: unpaired surrogate at index " + i);
      }
    }
    return id;
  }

  public static String field(String field) {
    if (field == null || !FIELD.matcher(field).matches()) {
      throw new InvalidNameException("filter field must match " + FIELD.pattern() + ", got " + quote(field));
    }
    return field;
  }

  public static String cluster(String name) {
    if (name == null || !CLUSTER.matcher(name).matches()) {
      throw new InvalidNameException("cluster name must be a DNS label (" + CLUSTER.pattern() + "), got " + quote(name));
    }
    return name;
  }

  /** Quotes a rejected value for an error message, cut short so errors never echo large input. */
  private static String quote(String value) {
    if (value == null) {
      return "nothing";
    }
    return "\"" + (value.length() > 64 ? value.substring(0, 64) + "..." : value) + "\"";
  }
}
