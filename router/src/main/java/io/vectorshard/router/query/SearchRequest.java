package io.vectorshard.router.query;

import java.time.Duration;
import java.util.List;

/**
 * A validated similarity query.
 *
 * @param tenants the tenants to search, or null for every tenant on every shard (admin scatter)
 * @param filter a VSIM FILTER expression, or null
 * @param filterEf the candidates the filter is tried on at most (VSIM's FILTER-EF); 0 without a filter
 * @param timeout deadline for the whole fan-out; a shard not done by then is missing
 * @param allowPartial answer from the shards that did reply (flagged partial) instead of failing
 */
public record SearchRequest(List<String> tenants, float[] vector, int topK, int ef, String filter, int filterEf, Merge merge,
    Duration timeout, boolean allowPartial, boolean withMetadata) {

  /** How per-shard answers are combined. */
  public enum Merge {
    /** Exact: a true top-k by score over the union (scores of one cluster are comparable). */
    SCORE,
    /** Reciprocal Rank Fusion over each shard's ranked list (k = 60); scores become RRF scores. */
    RRF
  }

  public boolean allTenants() {
    return tenants == null;
  }
}
