package io.vectorshard.router.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Score merge is a true top-k of the union; RRF is rank fusion with k = 60. */
class MergerTest {
  private static Match m(String tenant, String id, double score, String shard) {
    return new Match(tenant, id, score, shard, "vsc:t:{" + tenant + "}:0", null);
  }

  private static List<String> ids(List<Match> matches) {
    return matches.stream().map(x -> x.tenant() + "/" + x.id()).toList();
  }

  @Test
  void scoreMergeIsTheTopKOfTheUnion() {
    Random random = new Random(5);
    for (int round = 0; round < 200; round++) {
      List<List<Match>> perShard = new ArrayList<>();
      List<Match> all = new ArrayList<>();
      int shards = 1 + random.nextInt(5);
      for (int s = 0; s < shards; s++) {
        List<Match> list = new ArrayList<>();
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
          Match match = m("t" + random.nextInt(3), "s" + s + "-" + i, random.nextDouble(), "shard-" + s);
          list.add(match);
          all.add(match);
        }
        Collections.shuffle(list, random);
        perShard.add(list);
      }
      int topK = 1 + random.nextInt(15);
      List<Match> expected = all.stream()
          .sorted(Comparator.comparingDouble(Match::score).reversed().thenComparing(Match::tenant).thenComparing(Match::id))
          .limit(topK).toList();
      assertThat(Merger.merge(perShard, topK, SearchRequest.Merge.SCORE)).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void scoreMergeKeepsOneCopyOfAnElementSeenTwice() {
    List<Match> a = List.of(m("t", "x", 0.9, "shard-0"), m("t", "y", 0.5, "shard-0"));
    List<Match> b = List.of(m("t", "x", 0.9, "shard-1"), m("u", "x", 0.7, "shard-1"));
    List<Match> merged = Merger.merge(List.of(a, b), 10, SearchRequest.Merge.SCORE);
    // The same id in two tenants is two elements; the same tenant and id is one.
    assertThat(ids(merged)).containsExactly("t/x", "u/x", "t/y");
  }

  @Test
  void tiesAreBrokenByTenantThenId() {
    List<Match> a = List.of(m("b", "1", 0.5, "shard-0"), m("a", "2", 0.5, "shard-0"));
    List<Match> b = List.of(m("a", "1", 0.5, "shard-1"));
    assertThat(ids(Merger.merge(List.of(a, b), 3, SearchRequest.Merge.SCORE))).containsExactly("a/1", "a/2", "b/1");
  }

  @Test
  void rrfFusesRanksNotScores() {
    List<Match> strong = List.of(m("a", "a1", 0.99, "shard-0"), m("a", "a2", 0.98, "shard-0"),
        m("a", "a3", 0.97, "shard-0"));
    List<Match> weak = List.of(m("b", "b1", 0.40, "shard-1"), m("b", "b2", 0.30, "shard-1"));
    List<Match> score = Merger.merge(List.of(strong, weak), 3, SearchRequest.Merge.SCORE);
    List<Match> rrf = Merger.merge(List.of(strong, weak), 3, SearchRequest.Merge.RRF);
    assertThat(ids(score)).containsExactly("a/a1", "a/a2", "a/a3");
    // Rank 1 of each shard ties at 1/61 (tie broken by tenant), then the rank-2 elements at 1/62.
    assertThat(ids(rrf)).containsExactly("a/a1", "b/b1", "a/a2");
    assertThat(rrf.get(0).score()).isCloseTo(1.0 / 61, within(1e-12));
    assertThat(rrf.get(1).score()).isCloseTo(1.0 / 61, within(1e-12));
    assertThat(rrf.get(2).score()).isCloseTo(1.0 / 62, within(1e-12));
  }

  @Test
  void rrfAddsTheContributionsOfAnElementFoundOnSeveralLists() {
    List<Match> first = List.of(m("t", "x", 0.9, "shard-0"), m("t", "y", 0.8, "shard-0"));
    List<Match> second = List.of(m("t", "y", 0.8, "shard-1"), m("t", "z", 0.7, "shard-1"));
    List<Match> rrf = Merger.merge(List.of(first, second), 10, SearchRequest.Merge.RRF);
    assertThat(ids(rrf)).containsExactly("t/y", "t/x", "t/z");
    assertThat(rrf.get(0).score()).isCloseTo(1.0 / 62 + 1.0 / 61, within(1e-12));
  }

  @Test
  void rrfRanksEachShardsAnswerByScoreWhateverItsOrder() {
    // A shard answer may hold several keys, so it arrives unordered; RRF must rank it by score.
    List<Match> unordered = List.of(m("t", "low", 0.1, "shard-0"), m("u", "high", 0.9, "shard-0"),
        m("t", "mid", 0.5, "shard-0"));
    List<Match> rrf = Merger.merge(List.of(unordered), 3, SearchRequest.Merge.RRF);
    assertThat(ids(rrf)).containsExactly("u/high", "t/mid", "t/low");
  }

  @Test
  void emptyAnswersMergeToNothing() {
    assertThat(Merger.merge(List.of(), 5, SearchRequest.Merge.SCORE)).isEmpty();
    assertThat(Merger.merge(List.of(List.of(), List.of()), 5, SearchRequest.Merge.RRF)).isEmpty();
  }
}
