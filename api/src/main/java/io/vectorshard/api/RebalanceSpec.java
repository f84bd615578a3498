package io.vectorshard.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

/** How the operator moves data when placement changes (used from the rebalancing feature on). */
public class RebalanceSpec {
  public enum Approval { AUTO, MANUAL }

  @Default("AUTO")
  @JsonPropertyDescription("AUTO moves data as soon as placement changes; MANUAL waits for approval.")
  private Approval approval = Approval.AUTO;
  /** Longest a shard may be blocked by a key move; bigger buckets are streamed instead. */
  @Min(1)
  @Default("250")
  private int stallBudgetMs = 250;

  public Approval getApproval() { return approval; }
  public void setApproval(Approval approval) { this.approval = approval; }
  public int getStallBudgetMs() { return stallBudgetMs; }
  public void setStallBudgetMs(int stallBudgetMs) { this.stallBudgetMs = stallBudgetMs; }
}
