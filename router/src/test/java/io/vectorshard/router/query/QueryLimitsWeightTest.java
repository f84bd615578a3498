package io.vectorshard.router.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How many bulkhead permits a search weighs, from its work against the bounds (no Redis needed). */
class QueryLimitsWeightTest {
  private static final QueryLimits LIMITS = QueryLimits.DEFAULTS;

  private static SearchRequest search(int topK, int ef, String filter, int filterEf) {
    return new SearchRequest(null, new float[] {1}, topK, ef, filter, filterEf, SearchRequest.Merge.SCORE,
        Duration.ofSeconds(1), false, true);
  }

  @Test
  void cheapSearchesWeighOneAndTheHeaviestTheMaximum() {
    assertThat(LIMITS.weight(search(10, 100, null, 0))).isEqualTo(1);
    assertThat(LIMITS.weight(search(1000, 1000, null, 0))).isEqualTo(1 + 4); // topK x ef at its bound
    String heavyFilter = "x".repeat(1000);
    int heaviestFilterEf = (int) (LIMITS.maxFilterWork() / heavyFilter.length());
    assertThat(LIMITS.weight(search(100, 10_000, heavyFilter, heaviestFilterEf))).isEqualTo(QueryLimits.MAX_SEARCH_WEIGHT);
    // Half the filter work: about half the filter's share.
    assertThat(LIMITS.weight(search(10, 100, heavyFilter, heaviestFilterEf / 2))).isEqualTo(1 + 4);
    // Two of the heaviest never fit the default budget together; the heaviest and seven cheap ones do.
    assertThat(2 * QueryLimits.MAX_SEARCH_WEIGHT).isGreaterThan(LIMITS.searchBudgetPerShard());
  }

  @Test
  void noSearchWeighsMoreThanTheWholeBudget() {
    QueryLimits small = new QueryLimits(1000, 10_000, 1_000_000, 1024, 128_000, 1000, 3);
    assertThat(small.weight(search(1000, 1000, "x".repeat(1000), 128))).isEqualTo(3);
  }
}
