package io.vectorshard.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The desired state of a vectorshard cluster: the {@code spec} of a {@code VectorShardCluster}.
 *
 * <p>Plain mutable beans (not records) because the same classes become the Kubernetes custom
 * resource's spec, whose serializers and CRD generator expect bean properties. Defaults live in the
 * field initializers so a minimal YAML ({@code shards} and {@code vectors.dimensions}) is complete.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = false)
public class VectorShardClusterSpec {
  private int shards = 1;
  private RedisSpec redis = new RedisSpec();
  private VectorsSpec vectors = new VectorsSpec();
  private PlacementSpec placement = new PlacementSpec();
  private RebalanceSpec rebalance = new RebalanceSpec();
  private RouterSpec router = new RouterSpec();

  public int getShards() { return shards; }
  public void setShards(int shards) { this.shards = shards; }
  public RedisSpec getRedis() { return redis; }
  public void setRedis(RedisSpec redis) { this.redis = redis; }
  public VectorsSpec getVectors() { return vectors; }
  public void setVectors(VectorsSpec vectors) { this.vectors = vectors; }
  public PlacementSpec getPlacement() { return placement; }
  public void setPlacement(PlacementSpec placement) { this.placement = placement; }
  public RebalanceSpec getRebalance() { return rebalance; }
  public void setRebalance(RebalanceSpec rebalance) { this.rebalance = rebalance; }
  public RouterSpec getRouter() { return router; }
  public void setRouter(RouterSpec router) { this.router = router; }
}
