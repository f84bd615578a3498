package io.vectorshard.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One shard as the operator last saw it. Counts are absent while the shard cannot be reached. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ShardStatus {
  private String id;
  private boolean ready;
  @JsonPropertyDescription("host:port routers use for this shard's primary.")
  private String endpoint;
  @JsonPropertyDescription("Vectors in the shard's bucket keys, counted at the last reconcile.")
  private Long vectors;
  @JsonPropertyDescription("Redis used_memory of the shard's primary, rounded to whole MiB so idle fluctuation does not"
      + " rewrite the status; the exact figure is the operator metric vsc_operator_shard_memory_used_bytes.")
  private Long memoryBytes;
  @JsonPropertyDescription("Tenants with at least one bucket key on the shard.")
  private Integer tenants;

  public ShardStatus() {}

  public ShardStatus(String id, boolean ready, String endpoint, Long vectors, Long memoryBytes, Integer tenants) {
    this.id = id;
    this.ready = ready;
    this.endpoint = endpoint;
    this.vectors = vectors;
    this.memoryBytes = memoryBytes;
    this.tenants = tenants;
  }

  public String getId() { return id; }
  public void setId(String id) { this.id = id; }
  public boolean isReady() { return ready; }
  public void setReady(boolean ready) { this.ready = ready; }
  public String getEndpoint() { return endpoint; }
  public void setEndpoint(String endpoint) { this.endpoint = endpoint; }
  public Long getVectors() { return vectors; }
  public void setVectors(Long vectors) { this.vectors = vectors; }
  public Long getMemoryBytes() { return memoryBytes; }
  public void setMemoryBytes(Long memoryBytes) { this.memoryBytes = memoryBytes; }
  public Integer getTenants() { return tenants; }
  public void setTenants(Integer tenants) { this.tenants = tenants; }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShardStatus s && ready == s.ready && Objects.equals(id, s.id)
        && Objects.equals(endpoint, s.endpoint) && Objects.equals(vectors, s.vectors)
        && Objects.equals(memoryBytes, s.memoryBytes) && Objects.equals(tenants, s.tenants);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, ready, endpoint, vectors, memoryBytes, tenants);
  }
}
