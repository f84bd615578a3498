package io.vectorshard.api;

import java.util.ArrayList;
import java.util.List;

/** Where tenants live: consistent hashing by default, pins and spreads as exceptions. */
public class PlacementSpec {
  /** Buckets per tenant unless the tenant is listed in {@link #spread}. */
  private int defaultBuckets = 1;
  private List<PinnedTenant> pinned = new ArrayList<>();
  private List<SpreadTenant> spread = new ArrayList<>();

  public int getDefaultBuckets() { return defaultBuckets; }
  public void setDefaultBuckets(int defaultBuckets) { this.defaultBuckets = defaultBuckets; }
  public List<PinnedTenant> getPinned() { return pinned; }
  public void setPinned(List<PinnedTenant> pinned) { this.pinned = pinned; }
  public List<SpreadTenant> getSpread() { return spread; }
  public void setSpread(List<SpreadTenant> spread) { this.spread = spread; }

  /** A tenant whose buckets may only live on the listed shard ordinals. */
  public static class PinnedTenant {
    private String tenant;
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
    private String tenant;
    private int buckets;

    public SpreadTenant() {}
    public SpreadTenant(String tenant, int buckets) { this.tenant = tenant; this.buckets = buckets; }
    public String getTenant() { return tenant; }
    public void setTenant(String tenant) { this.tenant = tenant; }
    public int getBuckets() { return buckets; }
    public void setBuckets(int buckets) { this.buckets = buckets; }
  }
}
