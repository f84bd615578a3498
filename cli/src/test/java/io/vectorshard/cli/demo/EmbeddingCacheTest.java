package io.vectorshard.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vectorshard.cli.demo.EmbeddingCache.Result;
import io.vectorshard.cli.demo.EmbeddingCache.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache against the real model; embeds about 40 short texts in all. */
class EmbeddingCacheTest {
  static Embedder embedder;
  static final List<String> TEXTS = List.of(
      "The parliament voted on the fisheries budget.",
      "Mr President, the Commission must answer this question.",
      "Climate change requires a common European response.",
      "The Council has not yet adopted its position.");

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    embedder = new Embedder();
  }

  @AfterAll
  static void stop() {
    embedder.close();
  }

  @Test
  void secondLookupIsAHitWithIdenticalVectors() throws IOException {
    EmbeddingCache cache = new EmbeddingCache(dir.resolve("nested/cache"));
    List<int[]> progress = new ArrayList<>();
    Result first = cache.getOrCompute(embedder, TEXTS, (done, total) -> progress.add(new int[] {done, total}));
    assertThat(first.status()).isEqualTo(Status.MISS);
    assertThat(progress).isNotEmpty();
    assertThat(first.file()).exists().hasSize(EmbeddingCache.HEADER_BYTES + 4L * 384 * 4 + 4);
    assertThat(first.file().getFileName().toString()).startsWith("all-minilm-l6-v2-").endsWith(".emb");

    progress.clear();
    Result second = cache.getOrCompute(embedder, TEXTS, (done, total) -> progress.add(new int[] {done, total}));
    assertThat(second.status()).isEqualTo(Status.HIT);
    assertThat(progress).isEmpty();
    assertThat(second.file()).isEqualTo(first.file());
    assertSame(second.vectors(), first.vectors());
    assertThat(cache.get(Embedder.MODEL_NAME, 384, TEXTS)).hasValueSatisfying(v -> assertSame(v, first.vectors()));
    try (var files = Files.list(first.file().getParent())) {
      assertThat(files.toList()).containsExactly(first.file()); // no temporary files left behind
    }
  }

  @Test
  void otherTextsOrOrderAreOtherEntries() {
    EmbeddingCache cache = new EmbeddingCache(dir);
    Result all = cache.getOrCompute(embedder, TEXTS, Embedder.ProgressListener.NONE);
    Result reversed = cache.getOrCompute(embedder, TEXTS.reversed(), Embedder.ProgressListener.NONE);
    assertThat(reversed.status()).isEqualTo(Status.MISS);
    assertThat(reversed.file()).isNotEqualTo(all.file());
    assertThat(cache.get("another-model", 384, TEXTS)).isEmpty();
    assertThat(cache.get(Embedder.MODEL_NAME, 384, TEXTS.subList(0, 3))).isEmpty();
  }

  @Test
  void corruptTruncatedOrForeignFilesAreRecomputed() throws IOException {
    EmbeddingCache cache = new EmbeddingCache(dir);
    Result original = cache.getOrCompute(embedder, TEXTS, Embedder.ProgressListener.NONE);
    Path file = original.file();

    // One flipped bit in a float: the checksum catches it.
    byte[] bytes = Files.readAllBytes(file);
    bytes[EmbeddingCache.HEADER_BYTES + 1000] ^= 0x10;
    Files.write(file, bytes);
    Result afterFlip = cache.getOrCompute(embedder, TEXTS, Embedder.ProgressListener.NONE);
    assertThat(afterFlip.status()).isEqualTo(Status.INVALID);
    assertClose(afterFlip.vectors(), original.vectors());
    assertThat(cache.getOrCompute(embedder, TEXTS, Embedder.ProgressListener.NONE).status()).isEqualTo(Status.HIT);

    // Truncated.
    Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), 500));
    assertThat(cache.getOrCompute(embedder, TEXTS, Embedder.ProgressListener.NONE).status()).isEqualTo(Status.INVALID);
    assertThat(cache.getOrCompute(embedder, TEXTS, Embedder.ProgressListener.NONE).status()).isEqualTo(Status.HIT);

    // A valid file of other texts (same size) under this name: the key inside does not match.
    List<String> others = List.of("One.", "Two words.", "Three small words.", "Four words in here.");
    Path foreign = cache.put(Embedder.MODEL_NAME, others, embedder.embedAll(others));
    Files.copy(foreign, file, StandardCopyOption.REPLACE_EXISTING);
    Result afterForeign = cache.getOrCompute(embedder, TEXTS, Embedder.ProgressListener.NONE);
    assertThat(afterForeign.status()).isEqualTo(Status.INVALID);
    assertClose(afterForeign.vectors(), original.vectors());

    // Garbage.
    Files.writeString(file, "not a cache file");
    assertThat(cache.getOrCompute(embedder, TEXTS, Embedder.ProgressListener.NONE).status()).isEqualTo(Status.INVALID);
    assertThat(cache.get(Embedder.MODEL_NAME, 384, TEXTS)).hasValueSatisfying(v -> assertClose(v, original.vectors()));
  }

  @Test
  void putAndGetRoundTripExactFloats() {
    EmbeddingCache cache = new EmbeddingCache(dir);
    List<String> texts = List.of("a", "b", "c");
    List<float[]> vectors = List.of(new float[] {1f, -0f, Float.MIN_VALUE}, new float[] {0.1f, 2e-30f, -3.5f},
        new float[] {Float.MAX_VALUE, 0f, 1e-7f});
    cache.put("toy", texts, vectors);
    assertThat(cache.get("toy", 3, texts)).hasValueSatisfying(v -> assertSame(v, vectors));
    assertThat(cache.get("toy", 4, texts)).isEmpty();
  }

  /** Recomputed vectors: equal up to float rounding (ONNX Runtime need not be bit-reproducible). */
  private static void assertClose(List<float[]> actual, List<float[]> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i)).as("vector %d", i).containsExactly(expected.get(i), within(1e-5f));
    }
  }

  /** Bit-for-bit equality of two vector lists. */
  private static void assertSame(List<float[]> actual, List<float[]> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      float[] a = actual.get(i);
      float[] e = expected.get(i);
      assertThat(a).hasSameSizeAs(e);
      for (int j = 0; j < e.length; j++) {
        assertThat(Float.floatToRawIntBits(a[j])).as("vector %d component %d", i, j).isEqualTo(Float.floatToRawIntBits(e[j]));
      }
    }
  }
}
