package io.vectorshard.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One bucket of a rebalance plan, as shown in the status. */
public class RebalanceMove {
  private String tenant;
  @JsonPropertyDescription("The bucket's number among the tenant's buckets (see buckets).")
  private int bucket;
  @JsonPropertyDescription("The tenant's bucket count the bucket was written under; with REBUCKET, its count before the change.")
  private int buckets;
  private int from;
  @JsonPropertyDescription("The shard the bucket moves to; -1 with REBUCKET, whose elements go to the buckets of the new count.")
  private int to;
  private long vectors;
  private long bytes;
  @JsonPropertyDescription("ATOMIC (one MIGRATE within the stall budget), STREAM (copied while writes go to both shards) or"
      + " REBUCKET (the tenant's elements streamed into the buckets of its new spread count).")
  private String method;
  private long estimatedMillis;

  public RebalanceMove() {}

  public RebalanceMove(String tenant, int bucket, int buckets, int from, int to, long vectors, long bytes, String method,
      long estimatedMillis) {
    this.tenant = tenant;
    this.bucket = bucket;
    this.buckets = buckets;
    this.from = from;
    this.to = to;
    this.vectors = vectors;
    this.bytes = bytes;
    this.method = method;
    this.estimatedMillis = estimatedMillis;
  }

  public String getTenant() { return tenant; }
  public void setTenant(String tenant) { this.tenant = tenant; }
  public int getBucket() { return bucket; }
  public void setBucket(int bucket) { this.bucket = bucket; }
  public int getBuckets() { return buckets; }
  public void setBuckets(int buckets) { this.buckets = buckets; }
  public int getFrom() { return from; }
  public void setFrom(int from) { this.from = from; }
  public int getTo() { return to; }
  public void setTo(int to) { this.to = to; }
  public long getVectors() { return vectors; }
  public void setVectors(long vectors) { this.vectors = vectors; }
  public long getBytes() { return bytes; }
  public void setBytes(long bytes) { this.bytes = bytes; }
  public String getMethod() { return method; }
  public void setMethod(String method) { this.method = method; }
  public long getEstimatedMillis() { return estimatedMillis; }
  public void setEstimatedMillis(long estimatedMillis) { this.estimatedMillis = estimatedMillis; }

  @Override
  public boolean equals(Object o) {
    return o instanceof RebalanceMove m && bucket == m.bucket && buckets == m.buckets && from == m.from && to == m.to && vectors == m.vectors
        && bytes == m.bytes && estimatedMillis == m.estimatedMillis && Objects.equals(tenant, m.tenant)
        && Objects.equals(method, m.method);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tenant, bucket, buckets, from, to, vectors, bytes, method, estimatedMillis);
  }
}
