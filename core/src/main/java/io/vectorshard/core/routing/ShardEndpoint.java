package io.vectorshard.core.routing;

/**
 * One shard of the table: its ordinal (what placement returns), a stable id used in metrics and
 * errors, and the {@code host:port} routers connect to.
 */
public record ShardEndpoint(int ordinal, String id, String host, int port) {
  public static String idOf(int ordinal) {
    return "shard-" + ordinal;
  }

  public static ShardEndpoint of(int ordinal, String host, int port) {
    return new ShardEndpoint(ordinal, idOf(ordinal), host, port);
  }

  public String address() {
    return host + ":" + port;
  }
}
