package io.vectorshard.api;

import java.util.Objects;

/** One bucket of a rebalance plan, as shown in the status. */
public class RebalanceMove {
  private String tenant;
  private int bucket;
  private int from;
  private int to;
  private long vectors;
  private long bytes;
  /** ATOMIC (one MIGRATE within the stall budget) or STREAM (copied while writes go to both shards). */
  private String method;
  private long estimatedMillis;

  public RebalanceMove() {}

  public RebalanceMove(String tenant, int bucket, int from, int to, long vectors, long bytes, String method, long estimatedMillis) {
    this.tenant = tenant;
    this.bucket = bucket;
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
    return o instanceof RebalanceMove m && bucket == m.bucket && from == m.from && to == m.to && vectors == m.vectors
        && bytes == m.bytes && estimatedMillis == m.estimatedMillis && Objects.equals(tenant, m.tenant)
        && Objects.equals(method, m.method);
  }

  @Override
  public int hashCode() {
    return Objects.hash(tenant, bucket, from, to, vectors, bytes, method, estimatedMillis);
  }
}
