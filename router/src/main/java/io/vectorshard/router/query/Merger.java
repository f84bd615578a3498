package io.vectorshard.router.query;

import java.util.ArrayList;
import java.util.Collections;
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

  /** Highest score first; ties by tenant, then id (a total order over distinct elements). */
  private static final Comparator<Match> BY_SCORE = (a, b) -> {
    int c = Double.compare(b.score(), a.score());
    if (c == 0) {
      c = a.tenant().compareTo(b.tenant());
    }
    return c != 0 ? c : a.id().compareTo(b.id());
  };

  /** An element's identity across shards. */
  private record Identity(String tenant, String id) {}

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
    int hits = 0;
    for (List<Match> shard : perShard) {
      hits += shard.size();
    }
    Map<Identity, Match> best = HashMap.newHashMap(hits);
    for (List<Match> shard : perShard) {
      for (Match m : shard) {
        best.merge(identity(m), m, (a, b) -> a.score() >= b.score() ? a : b);
      }
    }
    return top(new ArrayList<>(best.values()), topK);
  }

  /** The first {@code topK} of the list by {@link #BY_SCORE}, unmodifiable. */
  private static List<Match> top(List<Match> matches, int topK) {
    matches.sort(BY_SCORE);
    if (matches.size() > topK) {
      matches.subList(topK, matches.size()).clear();
    }
    return Collections.unmodifiableList(matches);
  }

  static List<Match> reciprocalRankFusion(List<List<Match>> perShard, int topK) {
    Map<Identity, Match> fused = new LinkedHashMap<>();
    Map<Identity, Double> scores = new HashMap<>();
    for (List<Match> shard : perShard) {
      // A shard's answer may hold several keys (tenants, buckets): rank them as one list by score,
      // and count an element once per list.
      List<Match> ranked = new ArrayList<>(byScore(List.of(shard), Integer.MAX_VALUE));
      for (int rank = 0; rank < ranked.size(); rank++) {
        Match m = ranked.get(rank);
        Identity id = identity(m);
        fused.putIfAbsent(id, m);
        scores.merge(id, 1.0 / (RRF_K + rank + 1), Double::sum);
      }
    }
    List<Match> rescored = new ArrayList<>(fused.size());
    fused.forEach((id, m) -> rescored.add(m.withScore(scores.get(id))));
    return top(rescored, topK);
  }

  private static Identity identity(Match m) {
    return new Identity(m.tenant(), m.id());
  }
}
