package io.vectorshard.core.routing;

import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.core.placement.Placement;
import io.vectorshard.core.redis.Keys;
import java.util.List;

/**
 * What every router needs to send a request to the right shard. Owned by whoever runs the cluster
 * (the operator, or {@code vsc local}); every change gets a higher epoch, which fences writes from
 * routers still holding an older table.
 */
public record RoutingTable(String cluster, long epoch, VectorSettings vectors, List<ShardEndpoint> shards,
    Placement placement) {

  public RoutingTable {
    shards = List.copyOf(shards);
    if (shards.size() != placement.shards()) {
      throw new IllegalArgumentException("table lists " + shards.size() + " shards but placement has "
          + placement.shards());
    }
    for (int i = 0; i < shards.size(); i++) {
      if (shards.get(i).ordinal() != i) {
        throw new IllegalArgumentException("shard at position " + i + " has ordinal " + shards.get(i).ordinal());
      }
    }
  }

  public static RoutingTable of(String cluster, long epoch, VectorShardClusterSpec spec, List<ShardEndpoint> shards) {
    return new RoutingTable(cluster, epoch, VectorSettings.of(spec.getVectors()), shards,
        Placement.of(spec.getShards(), spec.getPlacement()));
  }

  public RoutingTable withEpoch(long newEpoch) {
    return new RoutingTable(cluster, newEpoch, vectors, shards, placement);
  }

  /** Where one element lives. */
  public BucketLocation locate(String tenant, String vectorId) {
    int bucket = placement.bucketOf(tenant, vectorId);
    return new BucketLocation(tenant, bucket, Keys.bucket(tenant, bucket), shards.get(placement.shardOf(tenant, bucket)));
  }

  /** Every bucket of a tenant, with its shard. */
  public List<BucketLocation> bucketsOf(String tenant) {
    int[] owners = placement.shardsOf(tenant);
    if (owners.length == 1) {
      return List.of(new BucketLocation(tenant, 0, Keys.bucket(tenant, 0), shards.get(owners[0])));
    }
    BucketLocation[] buckets = new BucketLocation[owners.length];
    for (int b = 0; b < owners.length; b++) {
      buckets[b] = new BucketLocation(tenant, b, Keys.bucket(tenant, b), shards.get(owners[b]));
    }
    return List.of(buckets);
  }

  /** A tenant's bucket, its key and the shard that owns it under this table. */
  public record BucketLocation(String tenant, int bucket, String key, ShardEndpoint shard) {}
}
