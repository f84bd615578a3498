package io.vectorshard.core.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The Lua function library of the write path ({@code vsc.lua}), as loaded onto every shard. */
public final class FunctionLibrary {
  public static final String NAME = "vsc";
  public static final String UPSERT = "vsc_upsert";
  public static final String REMOVE = "vsc_remove";
  public static final String DROP_TENANT = "vsc_drop_tenant";
  public static final String COPY = "vsc_copy";
  public static final String PUBLISH = "vsc_publish";
  public static final String VERSION = "vsc_version";

  private static final String SOURCE = read();

  private FunctionLibrary() {}

  public static String source() {
    return SOURCE;
  }

  private static String read() {
    try (InputStream in = FunctionLibrary.class.getResourceAsStream("vsc.lua")) {
      if (in == null) {
        throw new IllegalStateException("vsc.lua is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
