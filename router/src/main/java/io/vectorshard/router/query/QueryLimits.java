package io.vectorshard.router.query;

/**
 * What one query may cost a shard, and how many may run on it at once. Redis 8.0 cannot cancel a {@code VSIM}: one the router gave up on
 * at its deadline runs to its end, and a write to the same vector set waits for every search
 * running on it. So the work of each search is bounded before it is sent, and a query over a bound
 * is refused with a 400 naming the bound; the defaults keep one search well within the default
 * shard timeout (figures in docs/benchmarks.md, "Query cost").
 *
 * <p>A filter's cost is about its length times the candidates it is tried on ({@code FILTER-EF}):
 * measured on 20k vectors with 20 tags each, about 0.45 us per character and candidate, so a 4 KB
 * filter tried on 1,000 candidates took 1.6 s, and the default bound about 60 ms. Without a filter,
 * {@code topK} and {@code ef} drive it (topK 1,000 with ef 10,000: 22 ms on the same set).
 *
 * @param maxTopK largest {@code topK}
 * @param maxEf largest {@code ef}
 * @param maxSearchCost largest {@code topK x ef}
 * @param maxFilterLength longest filter expression, in characters (a structured filter's translation too)
 * @param maxFilterWork largest {@code filter length x FILTER-EF}; also what the default {@code FILTER-EF} is cut to
 * @param maxKeysPerShard most vector sets one query searches on one shard (an all-tenant search
 *     searches one per tenant bucket)
 * @param searchBudgetPerShard how much search work this router has running on one shard at once,
 *     in permits: a search takes 1 to {@link #MAX_SEARCH_WEIGHT} of them by its estimated work
 *     ({@link #weight}); one that does not fit is refused at once (503 naming the shard) rather than
 *     queued. A write to a vector set waits for the searches running on it, so this bounds that
 *     wait; below the connections per shard, so searches never hold every connection a write needs.
 */
public record QueryLimits(int maxTopK, int maxEf, long maxSearchCost, int maxFilterLength, long maxFilterWork,
    int maxKeysPerShard, int searchBudgetPerShard) {
  public static final QueryLimits DEFAULTS = new QueryLimits(1000, 10_000, 1_000_000, 1024, 128_000, 1000, 16);
  /**
   * Permits the heaviest search takes: with the default budget, one such search runs at a time
   * beside cheap ones, so a heavy tenant cannot take the budget from the others.
   */
  public static final int MAX_SEARCH_WEIGHT = 9;
  /** Redis's own default {@code FILTER-EF} is {@code COUNT x 100}. */
  static final int FILTER_EF_PER_RESULT = 100;

  public QueryLimits {
    if (maxTopK < 1 || maxEf < 1 || maxSearchCost < 1 || maxFilterLength < 1 || maxFilterWork < 1 || maxKeysPerShard < 1
        || searchBudgetPerShard < 1) {
      throw new IllegalArgumentException("every query limit must be positive: " + this);
    }
  }

  /** Checks {@code topK x ef}; {@code topK} and {@code ef} are each in range already. */
  public void checkSearch(int topK, int ef) {
    if ((long) topK * ef > maxSearchCost) {
      throw new QueryLimitException("topK x ef is " + (long) topK * ef + ", over the bound of " + maxSearchCost
          + " (VSC_ROUTER_MAX_SEARCH_COST); ask for fewer results or a smaller ef");
    }
  }

  /**
   * The {@code FILTER-EF} for a filter: the one asked for, checked against the bounds, or else
   * Redis's default cut to {@link #maxFilterWork}; 0 without a filter.
   *
   * @param requested the request's {@code filterEf}, or null
   */
  public int filterEf(String filter, Integer requested, int topK) {
    if (filter == null) {
      if (requested != null) {
        throw new QueryLimitException("filterEf needs a filter");
      }
      return 0;
    }
    if (filter.length() > maxFilterLength) {
      throw new QueryLimitException("the filter is " + filter.length() + " characters long, over the bound of "
          + maxFilterLength + " (VSC_ROUTER_MAX_FILTER_LENGTH)");
    }
    long affordable = Math.max(1, maxFilterWork / filter.length());
    if (requested == null) {
      return (int) Math.min(affordable, (long) topK * FILTER_EF_PER_RESULT);
    }
    if (requested < 1) {
      throw new QueryLimitException("filterEf must be positive");
    }
    if (requested > affordable) {
      throw new QueryLimitException("filterEf x filter length is " + (long) requested * filter.length()
          + ", over the bound of " + maxFilterWork + " (VSC_ROUTER_MAX_FILTER_WORK); with this filter, filterEf "
          + "may be at most " + affordable);
    }
    return requested;
  }

  /**
   * The bulkhead permits a search takes on each shard: 1, plus up to 8 for its filter work and up
   * to 4 for its {@code topK x ef}, each in proportion to its bound (rounded down), at most {@link #MAX_SEARCH_WEIGHT}
   * and never more than the whole budget.
   */
  public int weight(SearchRequest request) {
    long filterWork = request.filter() == null ? 0 : (long) request.filter().length() * request.filterEf();
    long weight = 1 + share(8, filterWork, maxFilterWork) + share(4, (long) request.topK() * request.ef(), maxSearchCost);
    return (int) Math.min(Math.min(weight, MAX_SEARCH_WEIGHT), searchBudgetPerShard);
  }

  /** {@code parts x value / bound}, rounded down: work under one part of its bound adds nothing. */
  private static long share(int parts, long value, long bound) {
    return (long) Math.floor(parts * (value / (double) bound));
  }

  /** Checks how many vector sets one query would search on {@code shard}. */
  public void checkKeys(String shard, int keys) {
    if (keys > maxKeysPerShard) {
      throw new QueryLimitException("the query would search " + keys + " vector sets on shard " + shard
          + ", over the bound of " + maxKeysPerShard + " (VSC_ROUTER_MAX_KEYS_PER_SHARD); name the tenants to search");
    }
  }
}
