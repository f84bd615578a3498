package io.vectorshard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The rebalance under way or waiting: its plan and its progress. Progress fields are updated while
 * it runs (at most every few seconds, so watchers are not flooded).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RebalanceStatus {
  /** At most this many moves are listed; the plan id and the totals cover all of them. */
  public static final int MOVES_SHOWN = 50;

  @JsonPropertyDescription("PendingApproval, Running or Retrying; see the operator's documentation for the transitions.")
  private RebalanceState state;
  @JsonPropertyDescription("Identifies the plan (which buckets move where, and how); approval applies to this plan only.")
  private String planId;
  private Integer fromShards;
  private Integer toShards;
  @JsonPropertyDescription("The plan's first moves, smallest atomic ones first; plannedMoves counts them all.")
  private List<RebalanceMove> moves = new ArrayList<>();
  private Integer plannedMoves;
  private Long plannedVectors;
  private Long plannedBytes;
  @JsonPropertyDescription("The plan's estimate, from transfer rates measured on these shards.")
  private Long estimatedSeconds;
  private Integer movesDone;
  private Long vectorsMoved;
  private Long bytesMoved;
  @JsonPropertyDescription("The move under way and its step.")
  private String currentMove;
  private Long etaSeconds;
  @JsonPropertyDescription("How long the latest streamed bucket's writes were paused at its switch.")
  private Long lastWritePauseMillis;
  private String startedAt;
  private Integer attempts;
  private String lastError;
  private String nextAttemptAt;

  public RebalanceState getState() { return state; }
  public void setState(RebalanceState state) { this.state = state; }
  public String getPlanId() { return planId; }
  public void setPlanId(String planId) { this.planId = planId; }
  public Integer getFromShards() { return fromShards; }
  public void setFromShards(Integer fromShards) { this.fromShards = fromShards; }
  public Integer getToShards() { return toShards; }
  public void setToShards(Integer toShards) { this.toShards = toShards; }
  public List<RebalanceMove> getMoves() { return moves; }
  public void setMoves(List<RebalanceMove> moves) { this.moves = moves; }
  public Integer getPlannedMoves() { return plannedMoves; }
  public void setPlannedMoves(Integer plannedMoves) { this.plannedMoves = plannedMoves; }
  public Long getPlannedVectors() { return plannedVectors; }
  public void setPlannedVectors(Long plannedVectors) { this.plannedVectors = plannedVectors; }
  public Long getPlannedBytes() { return plannedBytes; }
  public void setPlannedBytes(Long plannedBytes) { this.plannedBytes = plannedBytes; }
  public Long getEstimatedSeconds() { return estimatedSeconds; }
  public void setEstimatedSeconds(Long estimatedSeconds) { this.estimatedSeconds = estimatedSeconds; }
  public Integer getMovesDone() { return movesDone; }
  public void setMovesDone(Integer movesDone) { this.movesDone = movesDone; }
  public Long getVectorsMoved() { return vectorsMoved; }
  public void setVectorsMoved(Long vectorsMoved) { this.vectorsMoved = vectorsMoved; }
  public Long getBytesMoved() { return bytesMoved; }
  public void setBytesMoved(Long bytesMoved) { this.bytesMoved = bytesMoved; }
  public String getCurrentMove() { return currentMove; }
  public void setCurrentMove(String currentMove) { this.currentMove = currentMove; }
  public Long getEtaSeconds() { return etaSeconds; }
  public void setEtaSeconds(Long etaSeconds) { this.etaSeconds = etaSeconds; }
  public Long getLastWritePauseMillis() { return lastWritePauseMillis; }
  public void setLastWritePauseMillis(Long lastWritePauseMillis) { this.lastWritePauseMillis = lastWritePauseMillis; }
  public String getStartedAt() { return startedAt; }
  public void setStartedAt(String startedAt) { this.startedAt = startedAt; }
  public Integer getAttempts() { return attempts; }
  public void setAttempts(Integer attempts) { this.attempts = attempts; }
  public String getLastError() { return lastError; }
  public void setLastError(String lastError) { this.lastError = lastError; }
  public String getNextAttemptAt() { return nextAttemptAt; }
  public void setNextAttemptAt(String nextAttemptAt) { this.nextAttemptAt = nextAttemptAt; }

  private List<Object> fields() {
    return Arrays.asList(state, planId, fromShards, toShards, moves, plannedMoves, plannedVectors, plannedBytes,
        estimatedSeconds, movesDone, vectorsMoved, bytesMoved, currentMove, etaSeconds, lastWritePauseMillis, startedAt,
        attempts, lastError, nextAttemptAt);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RebalanceStatus r && fields().equals(r.fields());
  }

  @Override
  public int hashCode() {
    return Objects.hash(fields().toArray());
  }
}
