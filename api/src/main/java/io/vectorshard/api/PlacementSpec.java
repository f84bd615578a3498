package io.vectorshard.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** Where tenants live: consistent hashing by default, pins and spreads as exceptions. */
public class PlacementSpec {
  /** Contract 1's tenant id pattern, anchored for the API server's OpenAPI validation. */
  public static final String TENANT_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$";

  @Min(1)
  @Max(1024)
  @Default("1")
  @JsonPropertyDescription("Buckets per tenant unless the tenant is listed under spread.")
  private int defaultBuckets = 1;
  @JsonPropertyDescription("Tenants whose buckets may only live on the listed shard ordinals.")
  private List<PinnedTenant> pinned = new ArrayList<>();
  @JsonPropertyDescription("Hot tenants hashed over several buckets, each on a distinct shard while buckets <= shards.")
  private List<SpreadTenant> spread = new ArrayList<>();

  public int getDefaultBuckets() { return defaultBuckets; }
  public void setDefaultBuckets(int defaultBuckets) { this.defaultBuckets = defaultBuckets; }
  public List<PinnedTenant> getPinned() { return pinned; }
  public void setPinned(List<PinnedTenant> pinned) { this.pinned = pinned; }
  public List<SpreadTenant> getSpread() { return spread; }
  public void setSpread(List<SpreadTenant> spread) { this.spread = spread; }

  /** A tenant whose buckets may only live on the listed shard ordinals. */
  public static class PinnedTenant {
    @Required
    @Pattern(TENANT_PATTERN)
    private String tenant;
    @Required
    @Size(min = 1)
    @JsonPropertyDescription("Shard ordinals (0-based); each must be below spec.shards.")
    private List<Integer> shards = new ArrayList<>();

    public PinnedTenant() {}
    public PinnedTenant(String tenant, List<Integer> shards) { this.tenant = tenant; this.shards = shards; }
    public String getTenant() { return tenant; }
    public void setTenant(String tenant) { this.tenant = tenant; }
    public List<Integer> getShards() { return shards; }
    public void setShards(List<Integer> shards) { this.shards = shards; }
  }

  /** A hot tenant whose elements are hashed over several buckets, each on a distinct shard. */
  public static class SpreadTenant {
    @Required
    @Pattern(TENANT_PATTERN)
    private String tenant;
    @Required
    @Min(1)
    @Max(1024)
    private int buckets;

    public SpreadTenant() {}
    public SpreadTenant(String tenant, int buckets) { this.tenant = tenant; this.buckets = buckets; }
    public String getTenant() { return tenant; }
    public void setTenant(String tenant) { this.tenant = tenant; }
    public int getBuckets() { return buckets; }
    public void setBuckets(int buckets) { this.buckets = buckets; }
  }
}
