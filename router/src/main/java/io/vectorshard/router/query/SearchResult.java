package io.vectorshard.router.query;

import io.vectorshard.core.redis.ShardException;
import java.util.List;

/**
 * What a query answers.
 *
 * @param partial true when some shards did not answer and the request allowed that
 * @param missing the shards left out, with why
 * @param epoch the routing epoch the answer was computed under
 */
public record SearchResult(List<Match> matches, boolean partial, List<MissingShard> missing, long epoch) {

  /** A shard that did not contribute to a partial result, and why. */
  public record MissingShard(String shard, ShardException.Reason reason, String error) {}
}
