package io.vectorshard.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@code vsc local up} started, written to {@code <state dir>/<cluster>/state.json} so that
 * {@code down} and {@code status} can find the processes again from another shell.
 */
public record LocalState(String cluster, List<Shard> shards, Router router) {
  private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
  static final String FILE = "state.json";

  /** A shard server: its port and data directory (the pid is in the directory's redis.pid). */
  public record Shard(int ordinal, int port, String dir) {}

  /** The router process. */
  public record Router(String host, int port, long pid, String log) {
    public String url() {
      return "http://" + host + ":" + port;
    }
  }

  public void write(Path clusterDir) {
    try {
      Files.createDirectories(clusterDir);
      // Written aside and moved into place: an apply killed mid-write leaves the previous state.
      Path tmp = clusterDir.resolve(FILE + ".tmp");
      JSON.writeValue(tmp.toFile(), this);
      Files.move(tmp, clusterDir.resolve(FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Optional<LocalState> read(Path clusterDir) {
    Path file = clusterDir.resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), LocalState.class));
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable " + file + ": " + e.getMessage(), e);
    }
  }
}
