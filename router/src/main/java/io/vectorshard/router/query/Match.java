package io.vectorshard.router.query;

/** One merged result: the element, its score, where it came from, and its attributes JSON (or null). */
public record Match(String tenant, String id, double score, String shard, String key, String attributes) {
  public Match withAttributes(String json) {
    return new Match(tenant, id, score, shard, key, json);
  }

  public Match withScore(double newScore) {
    return new Match(tenant, id, newScore, shard, key, attributes);
  }
}
