package io.vectorshard.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Settings of the router sidecar. */
public class RouterSpec {
  @Min(1)
  @Max(65535)
  @Default("8080")
  @JsonPropertyDescription("Port the sidecar listens on (localhost).")
  private int port = 8080;
  /** Deadline of each shard call unless a request asks for less. */
  @Min(1)
  @Default("1000")
  private int shardTimeoutMs = 1000;
  @Min(1)
  @Default("1000")
  private int maxTopK = 1000;
  @Min(1)
  @Default("1000")
  private int maxBatch = 1000;

  public int getPort() { return port; }
  public void setPort(int port) { this.port = port; }
  public int getShardTimeoutMs() { return shardTimeoutMs; }
  public void setShardTimeoutMs(int shardTimeoutMs) { this.shardTimeoutMs = shardTimeoutMs; }
  public int getMaxTopK() { return maxTopK; }
  public void setMaxTopK(int maxTopK) { this.maxTopK = maxTopK; }
  public int getMaxBatch() { return maxBatch; }
  public void setMaxBatch(int maxBatch) { this.maxBatch = maxBatch; }
}
