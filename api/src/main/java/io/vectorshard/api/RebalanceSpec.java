package io.vectorshard.api;

/** How the operator moves data when placement changes (used from the rebalancing feature on). */
public class RebalanceSpec {
  public enum Approval { AUTO, MANUAL }

  private Approval approval = Approval.AUTO;
  /** Longest a shard may be blocked by a key move; bigger buckets are streamed instead. */
  private int stallBudgetMs = 250;

  public Approval getApproval() { return approval; }
  public void setApproval(Approval approval) { this.approval = approval; }
  public int getStallBudgetMs() { return stallBudgetMs; }
  public void setStallBudgetMs(int stallBudgetMs) { this.stallBudgetMs = stallBudgetMs; }
}
