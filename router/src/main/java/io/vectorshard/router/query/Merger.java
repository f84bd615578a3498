package io.vectorshard.router.query;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Combines the ranked lists the shards returned (contract 4). Score merge is exact: every shard
 * returned its own top-k, so the global top-k is among their union. RRF is offered for callers who
 * want rank fusion; it is never the default.
 */
public final class Merger {
  /** The customary RRF damping constant. */
  public static final int RRF_K = 60;

  private static final Comparator<Match> BY_SCORE = Comparator.comparingDouble(Match::score).reversed()
      .thenComparing(Match::tenant).thenComparing(Match::id);

  private Merger() {}

  /**
   * @param perShard each shard's hits (any order within a shard)
   */
  public static List<Match> merge(List<List<Match>> perShard, int topK, SearchRequest.Merge mode) {
    return switch (mode) {
      case SCORE -> byScore(perShard, topK);
      case RRF -> reciprocalRankFusion(perShard, topK);
    };
  }

  static List<Match> byScore(List<List<Match>> perShard, int topK) {
    Map<String, Match> best = new HashMap<>();
    for (List<Match> shard : perShard) {
      for (Match m : shard) {
        best.merge(identity(m), m, (a, b) -> a.score() >= b.score() ? a : b);
      }
    }
    return best.values().stream().sorted(BY_SCORE).limit(topK).toList();
  }

  static List<Match> reciprocalRankFusion(List<List<Match>> perShard, int topK) {
    Map<String, Match> fused = new LinkedHashMap<>();
    Map<String, Double> scores = new HashMap<>();
    for (List<Match> shard : perShard) {
      // A shard's answer may hold several keys (tenants, buckets): rank them as one list by score,
      // and count an element once per list.
      List<Match> ranked = new ArrayList<>(byScore(List.of(shard), Integer.MAX_VALUE));
      for (int rank = 0; rank < ranked.size(); rank++) {
        Match m = ranked.get(rank);
        String id = identity(m);
        fused.putIfAbsent(id, m);
        scores.merge(id, 1.0 / (RRF_K + rank + 1), Double::sum);
      }
    }
    return fused.entrySet().stream()
        .map(e -> e.getValue().withScore(scores.get(e.getKey())))
        .sorted(BY_SCORE)
        .limit(topK)
        .toList();
  }

  private static String identity(Match m) {
    return m.tenant() + "\u0000" + m.id();
  }
}
