package io.vectorshard.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

/**
 * The desired state of a vectorshard cluster: the {@code spec} of a {@code VectorShardCluster}.
 *
 * <p>Plain mutable beans (not records) because Fabric8's serializers and CRD generator expect bean
 * properties. Defaults live twice on purpose: in the field initializers, so local mode and tests get
 * a complete object from a minimal YAML, and in {@code @Default}, so the API server fills them in for
 * {@code kubectl get -o yaml}. {@code SpecValidationTest} checks that the two agree.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = false)
public class VectorShardClusterSpec {
  @SpecReplicas
  @Min(1)
  @Max(1024)
  @Default("1")
  @JsonPropertyDescription("Number of shards (one Redis StatefulSet each). `kubectl scale vsc/<name> --replicas=N` sets it.")
  private int shards = 1;
  @JsonPropertyDescription("How each shard's Redis runs.")
  private RedisSpec redis = new RedisSpec();
  @Required
  @JsonPropertyDescription("How vectors are stored; the same on every shard.")
  private VectorsSpec vectors = new VectorsSpec();
  @JsonPropertyDescription("Where tenants live.")
  private PlacementSpec placement = new PlacementSpec();
  @JsonPropertyDescription("How data moves when placement changes.")
  private RebalanceSpec rebalance = new RebalanceSpec();
  @JsonPropertyDescription("Settings of the router sidecar.")
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
