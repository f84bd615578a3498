package io.vectorshard.cli.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Embeddings of a list of texts kept on disk, so that a second {@code vsc demo} run skips the
 * model. One file per (model, dimensions, texts) combination, named after a SHA-256 of all three.
 *
 * <p>File format, little endian: magic {@code "VSEMB001"} (8 bytes), the 32-byte SHA-256 key,
 * {@code int32 count}, {@code int32 dims}, {@code count * dims} float32 values, then the CRC-32C of
 * everything before it ({@code int32}). A file is used only if its length, magic, key, count,
 * dimensions and checksum all match and every value is finite; anything else (truncated, corrupt,
 * written for other texts) is ignored, recomputed and overwritten. Files are written to a
 * temporary name and moved into place, so a crash never leaves a half-written cache file under the
 * real name.
 */
public final class EmbeddingCache {
  static final byte[] MAGIC = "VSEMB001".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER_BYTES = MAGIC.length + 32 + 4 + 4;
  static final String SUFFIX = ".emb";

  /** How {@link #getOrCompute} obtained its vectors. */
  public enum Status {
    /** Read from a valid cache file. */
    HIT,
    /** No cache file: computed and written. */
    MISS,
    /** A cache file existed but was corrupt or stale: computed and overwritten. */
    INVALID
  }

  /** Vectors of the texts, in order, and where they came from. */
  public record Result(List<float[]> vectors, Status status, Path file) {}

  private final Path directory;

  /** A cache in {@code directory} (created when first written). */
  public EmbeddingCache(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory");
  }

  /** {@code $XDG_CACHE_HOME/vectorshard/embeddings}, or {@code ~/.cache/vectorshard/embeddings}. */
  public static Path defaultDirectory() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("vectorshard").resolve("embeddings");
  }

  public Path directory() {
    return directory;
  }

  /**
   * The vectors of {@code texts} from the cache if it has a valid file for them, else from
   * {@code embedder} (reporting to {@code listener}), then stored. A failure to write the cache is
   * not an error: the vectors are returned anyway.
   */
  public Result getOrCompute(Embedder embedder, List<String> texts, Embedder.ProgressListener listener) {
    byte[] key = key(embedder.modelName(), embedder.dimensions(), texts);
    Path file = fileFor(embedder.modelName(), key);
    boolean existed = Files.exists(file);
    Optional<List<float[]>> cached = read(file, key, texts.size(), embedder.dimensions());
    if (cached.isPresent()) {
      return new Result(cached.get(), Status.HIT, file);
    }
    List<float[]> vectors = embedder.embedAll(texts, listener);
    try {
      write(file, key, vectors, embedder.dimensions());
    } catch (UncheckedIOException e) {
      // An unwritable cache only costs the next run time.
    }
    return new Result(vectors, existed ? Status.INVALID : Status.MISS, file);
  }

  /** The cached vectors of {@code texts} for this model, if a valid file has them. */
  public Optional<List<float[]>> get(String modelName, int dimensions, List<String> texts) {
    byte[] key = key(modelName, dimensions, texts);
    return read(fileFor(modelName, key), key, texts.size(), dimensions);
  }

  /**
   * Stores {@code vectors} as the embeddings of {@code texts} by this model, replacing any file.
   *
   * @return the file written
   */
  public Path put(String modelName, List<String> texts, List<float[]> vectors) {
    if (vectors.size() != texts.size()) {
      throw new IllegalArgumentException(vectors.size() + " vectors for " + texts.size() + " texts");
    }
    int dimensions = vectors.isEmpty() ? 0 : vectors.get(0).length;
    byte[] key = key(modelName, dimensions, texts);
    Path file = fileFor(modelName, key);
    write(file, key, vectors, dimensions);
    return file;
  }

  /** The file that holds (or would hold) the embeddings of {@code texts} by this model. */
  public Path fileFor(String modelName, int dimensions, List<String> texts) {
    return fileFor(modelName, key(modelName, dimensions, texts));
  }

  private Path fileFor(String modelName, byte[] key) {
    String model = modelName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]+", "-");
    return directory.resolve(model + "-" + HexFormat.of().formatHex(key, 0, 16) + SUFFIX);
  }

  /** SHA-256 over the format version, model name, dimensions and every text (length-prefixed). */
  static byte[] key(String modelName, int dimensions, List<String> texts) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    ByteBuffer number = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    sha.update(MAGIC);
    for (String part : List.of(modelName, Integer.toString(dimensions), Integer.toString(texts.size()))) {
      update(sha, number, part);
    }
    for (String text : texts) {
      update(sha, number, text);
    }
    return sha.digest();
  }

  private static void update(MessageDigest sha, ByteBuffer number, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    sha.update(number.clear().putLong(bytes.length).flip());
    sha.update(bytes);
  }

  private static Optional<List<float[]>> read(Path file, byte[] key, int count, int dimensions) {
    long expected = HEADER_BYTES + (long) count * dimensions * Float.BYTES + Integer.BYTES;
    if (expected > Integer.MAX_VALUE - 64) {
      return Optional.empty();
    }
    ByteBuffer buffer;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      if (channel.size() != expected) {
        return Optional.empty();
      }
      buffer = ByteBuffer.allocate((int) expected);
      while (buffer.hasRemaining()) {
        if (channel.read(buffer) < 0) {
          return Optional.empty();
        }
      }
    } catch (IOException e) {
      return Optional.empty(); // absent or unreadable: recompute
    }
    buffer.flip().order(ByteOrder.LITTLE_ENDIAN);
    CRC32C crc = new CRC32C();
    crc.update(buffer.array(), 0, (int) expected - Integer.BYTES);
    if ((int) crc.getValue() != buffer.getInt((int) expected - Integer.BYTES)) {
      return Optional.empty();
    }
    byte[] magic = new byte[MAGIC.length];
    byte[] storedKey = new byte[32];
    buffer.get(magic).get(storedKey);
    if (!Arrays.equals(magic, MAGIC) || !Arrays.equals(storedKey, key)
        || buffer.getInt() != count || buffer.getInt() != dimensions) {
      return Optional.empty();
    }
    List<float[]> vectors = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      float[] vector = new float[dimensions];
      for (int j = 0; j < dimensions; j++) {
        vector[j] = buffer.getFloat();
        if (!Float.isFinite(vector[j])) {
          return Optional.empty();
        }
      }
      vectors.add(vector);
    }
    return Optional.of(vectors);
  }

  private void write(Path file, byte[] key, List<float[]> vectors, int dimensions) {
    long bytes = HEADER_BYTES + (long) vectors.size() * dimensions * Float.BYTES + Integer.BYTES;
    if (bytes > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("too many vectors to cache in one file: " + vectors.size());
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    buffer.put(MAGIC).put(key).putInt(vectors.size()).putInt(dimensions);
    for (float[] vector : vectors) {
      if (vector.length != dimensions) {
        throw new IllegalArgumentException("vectors have different dimensions: " + vector.length + " and " + dimensions);
      }
      for (float v : vector) {
        buffer.putFloat(v);
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(buffer.array(), 0, buffer.position());
    buffer.putInt((int) crc.getValue());
    Path temp = null;
    try {
      Files.createDirectories(directory);
      temp = Files.createTempFile(directory, file.getFileName().toString(), ".tmp");
      try (OutputStream out = Files.newOutputStream(temp)) {
        out.write(buffer.array());
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      temp = null;
    } catch (IOException e) {
      throw new UncheckedIOException("writing embedding cache " + file, e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // best effort
        }
      }
    }
  }
}
