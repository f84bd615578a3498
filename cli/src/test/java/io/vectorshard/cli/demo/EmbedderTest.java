package io.vectorshard.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vectorshard.core.testing.VectorMath;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs the real in-process all-MiniLM-L6-v2 model; embeds a few dozen texts in all. */
class EmbedderTest {
  static Embedder embedder;

  @BeforeAll
  static void start() {
    embedder = new Embedder(2, 4);
  }

  @AfterAll
  static void stop() {
    embedder.close();
  }

  @Test
  void returnsFiniteUnitVectorsOf384Dimensions() {
    assertThat(embedder.dimensions()).isEqualTo(384).isEqualTo(Embedder.DIMENSIONS);
    float[] v = embedder.embed("The European Parliament debated the common agricultural policy.");
    assertThat(v).hasSize(384);
    double norm = 0;
    for (float x : v) {
      assertThat(Float.isFinite(x)).isTrue();
      norm += (double) x * x;
    }
    assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-5));
  }

  @Test
  void similarMeaningsAreCloserThanUnrelatedOnes() {
    float[] parliament = embedder.embed("The parliament voted on the fisheries budget");
    float[] meps = embedder.embed("MEPs approved money for fishing");
    float[] cat = embedder.embed("The cat sat on the mat in the sun");
    double related = VectorMath.cosine(parliament, meps);
    double unrelated = VectorMath.cosine(parliament, cat);
    assertThat(related).isGreaterThan(unrelated + 0.2);
  }

  @Test
  void embedAllMatchesEmbedAndReportsProgressPerBatch() {
    List<String> texts = Corpus.europarl().first(10).stream().map(Corpus.Document::text).toList();
    List<int[]> progress = new ArrayList<>();
    List<float[]> vectors = embedder.embedAll(texts, (done, total) -> progress.add(new int[] {done, total}));

    assertThat(vectors).hasSize(10).allSatisfy(v -> assertThat(v).hasSize(384));
    assertThat(progress).extracting(p -> p[0]).containsExactly(0, 4, 8, 10);
    assertThat(progress).extracting(p -> p[1]).containsOnly(10);
    float[] single = embedder.embed(texts.get(7));
    assertThat(VectorMath.cosine(single, vectors.get(7))).isCloseTo(1.0, within(1e-5));
    // Each passage is its own nearest neighbour.
    for (int i = 0; i < vectors.size(); i++) {
      for (int j = 0; j < vectors.size(); j++) {
        if (i != j) {
          assertThat(VectorMath.cosine(vectors.get(i), vectors.get(j))).isLessThan(0.98);
        }
      }
    }
  }

  @Test
  void isDeterministic() {
    String text = "Mr President, the Council must now act on climate change.";
    assertThat(embedder.embed(text)).containsExactly(embedder.embed(text));
  }

  @Test
  void rejectsBlankText() {
    assertThatThrownBy(() -> embedder.embed(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> embedder.embedAll(List.of("fine", ""))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("text 1");
    assertThat(embedder.embedAll(List.of())).isEmpty();
  }
}
