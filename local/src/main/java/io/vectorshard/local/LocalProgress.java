package io.vectorshard.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vectorshard.engine.rebalance.PlannedMove;
import io.vectorshard.engine.rebalance.RebalanceListener;
import io.vectorshard.engine.rebalance.RebalanceProgress;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Shows a running transition: a progress bar redrawn in place on a terminal, plain lines (at most
 * one every few seconds, and one per note) otherwise; and the latest progress in
 * {@code progress.json} of the cluster's directory, for {@code vsc local status} from another shell.
 * The file is removed when the transition ends.
 */
final class LocalProgress implements RebalanceListener, AutoCloseable {
  static final String FILE = "progress.json";
  private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
  private static final Duration LINE_EVERY = Duration.ofSeconds(3);
  private static final Duration FILE_EVERY = Duration.ofMillis(500);

  private final PrintStream out;
  private final Path file;
  private final boolean terminal = System.console() != null;
  private final List<Long> pauses = new ArrayList<>();
  private Instant lastLine = Instant.EPOCH;
  private Instant lastFile = Instant.EPOCH;
  private boolean barShown;

  LocalProgress(PrintStream out, Path clusterDir) {
    this.out = out;
    this.file = clusterDir.resolve(FILE);
  }

  @Override
  public void progress(RebalanceProgress p) {
    Instant now = Instant.now();
    boolean finished = p.movesDone() == p.movesTotal();
    if (terminal) {
      out.print("\r" + bar(p) + " " + p.line() + "\u001b[K");
      out.flush();
      barShown = true;
    } else if (finished || Duration.between(lastLine, now).compareTo(LINE_EVERY) >= 0) {
      out.println("  " + p.line());
      lastLine = now;
    }
    if (finished || Duration.between(lastFile, now).compareTo(FILE_EVERY) >= 0) {
      write(p, now);
      lastFile = now;
    }
  }

  @Override
  public void writePause(PlannedMove move, Duration pause) {
    pauses.add(pause.toMillis());
    note("switched " + move.move() + " with a write pause of " + pause.toMillis() + " ms");
  }

  @Override
  public void note(String message) {
    if (barShown) {
      out.println();
      barShown = false;
    }
    out.println("  " + message);
  }

  private static String bar(RebalanceProgress p) {
    int width = 24;
    double done = p.vectorsTotal() == 0 ? (p.movesTotal() == 0 ? 1 : (double) p.movesDone() / p.movesTotal())
        : (double) p.vectorsMoved() / p.vectorsTotal();
    int filled = (int) Math.round(Math.min(1, done) * width);
    return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
  }

  private void write(RebalanceProgress p, Instant now) {
    LocalStatus.Progress snapshot = new LocalStatus.Progress(now.toString(), p.movesDone(), p.movesTotal(), p.vectorsMoved(), p.vectorsTotal(),
        p.bytesMoved(), p.bytesTotal(), p.current().orElse(null), p.eta().toSeconds(),
        p.lastWritePause().map(Duration::toMillis).orElse(null), List.copyOf(pauses));
    try {
      Path tmp = file.resolveSibling(FILE + ".tmp");
      JSON.writeValue(tmp.toFile(), snapshot);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Optional<LocalStatus.Progress> read(Path clusterDir) {
    Path file = clusterDir.resolve(FILE);
    try {
      return Files.exists(file) ? Optional.of(JSON.readValue(file.toFile(), LocalStatus.Progress.class)) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty(); // being replaced this instant
    }
  }

  /** The transition ended (or failed): the bar gets its line end; the file stays only on failure, for status. */
  @Override
  public void close() {
    if (barShown) {
      out.println();
    }
  }

  /** Called after a transition ran to its end. */
  static void finished(Path clusterDir) {
    try {
      Files.deleteIfExists(clusterDir.resolve(FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
