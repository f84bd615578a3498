package io.vectorshard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the operator observed. Written only when it changed, so watchers of the resource see a new
 * version only for real news. {@code equals} is what decides "changed".
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class VectorShardClusterStatus {
  /** Phases, coarsest view of the conditions, for {@code kubectl get}. */
  public enum Phase { Pending, Provisioning, Rebalancing, Ready, Degraded, Invalid }

  @JsonPropertyDescription("metadata.generation of the spec this status describes.")
  private Long observedGeneration;
  private Phase phase;
  @JsonPropertyDescription("Ready, Progressing and Degraded, with reasons and transition times.")
  private List<Condition> conditions = new ArrayList<>();
  @JsonPropertyDescription("One entry per shard of the spec.")
  private List<ShardStatus> shards = new ArrayList<>();
  @StatusReplicas
  @JsonPropertyDescription("Shards whose Redis primary is ready (the scale subresource's replicas).")
  private Integer readyShards;
  @JsonPropertyDescription("Epoch of the routing table published to the shards.")
  private Long epoch;
  @LabelSelector
  @JsonPropertyDescription("Label selector of the shards' pods (the scale subresource's selector).")
  private String selector;
  @JsonPropertyDescription("The transition to the spec's placement while one waits or runs: plan and progress.")
  private RebalanceStatus rebalance;

  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public Phase getPhase() { return phase; }
  public void setPhase(Phase phase) { this.phase = phase; }
  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
  public List<ShardStatus> getShards() { return shards; }
  public void setShards(List<ShardStatus> shards) { this.shards = shards; }
  public Integer getReadyShards() { return readyShards; }
  public void setReadyShards(Integer readyShards) { this.readyShards = readyShards; }
  public Long getEpoch() { return epoch; }
  public void setEpoch(Long epoch) { this.epoch = epoch; }
  public String getSelector() { return selector; }
  public void setSelector(String selector) { this.selector = selector; }
  public RebalanceStatus getRebalance() { return rebalance; }
  public void setRebalance(RebalanceStatus rebalance) { this.rebalance = rebalance; }

  @Override
  public boolean equals(Object o) {
    return o instanceof VectorShardClusterStatus s
        && Objects.equals(observedGeneration, s.observedGeneration) && phase == s.phase
        && Objects.equals(conditions, s.conditions) && Objects.equals(shards, s.shards)
        && Objects.equals(readyShards, s.readyShards) && Objects.equals(epoch, s.epoch)
        && Objects.equals(selector, s.selector) && Objects.equals(rebalance, s.rebalance);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, phase, conditions, shards, readyShards, epoch, selector, rebalance);
  }
}
