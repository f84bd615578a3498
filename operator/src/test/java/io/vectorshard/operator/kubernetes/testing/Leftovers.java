package io.vectorshard.operator.kubernetes.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * Processes the fixture started (etcd, kube-apiserver, controllers, redis-servers), recorded by pid
 * in a file, so they are killed however a test JVM ends: by the shutdown hook normally, and by the
 * next test JVM when one was killed outright (its children would otherwise keep the pod IPs' ports
 * and a stale etcd).
 */
final class Leftovers {
  private final Path file;

  private Leftovers(Path file) {
    this.file = file;
  }

  static Leftovers in(Path root) {
    try {
      Files.createDirectories(root);
      return new Leftovers(root.resolve("pids"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  synchronized void record(Process process) {
    record(process.toHandle());
  }

  /** The JVM's own children so far: kube-api-test starts etcd and kube-apiserver without telling us. */
  synchronized void recordChildren() {
    ProcessHandle.current().children().forEach(this::record);
  }

  private void record(ProcessHandle process) {
    String line = process.pid() + " " + process.info().startInstant().map(Object::toString).orElse("?") + "\n";
    try {
      Files.writeString(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills every recorded process still running (the start time guards against reused pids). */
  synchronized void killAll() {
    if (!Files.exists(file)) {
      return;
    }
    try {
      List<String> lines = Files.readAllLines(file);
      for (String line : lines) {
        String[] parts = line.split(" ");
        Optional<ProcessHandle> handle = ProcessHandle.of(Long.parseLong(parts[0]));
        handle.filter(h -> h.info().startInstant().map(Object::toString).orElse("?").equals(parts[1]))
            .ifPresent(h -> {
              h.destroyForcibly();
              h.onExit().join();
            });
      }
      Files.delete(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
