package io.vectorshard.core.routing;

import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.core.placement.Placement;
import io.vectorshard.core.redis.Keys;
import java.util.ArrayList;
import java.util.List;

/**
 * What every router needs to send a request to the right shard. Owned by whoever runs the cluster
 * (the operator, or {@code vsc local}); every change gets a higher epoch, which fences writes from
 * routers still holding an older table.
 *
 * <p>While a {@link Transition} runs, {@code placement} is where data is going and
 * {@code transition.from} where it was; {@code shards} then lists every shard of either (a
 * scale-down keeps its leaving shards until they are drained).
 *
 * @param transition the placement change in progress, or null when data is where placement says
 */
public record RoutingTable(String cluster, long epoch, VectorSettings vectors, List<ShardEndpoint> shards,
    Placement placement, Transition transition) {

  public RoutingTable {
    shards = List.copyOf(shards);
    int expected = transition == null ? placement.shards() : Math.max(placement.shards(), transition.from().shards());
    if (shards.size() != expected) {
      throw new IllegalArgumentException("table lists " + shards.size() + " shards but "
          + (transition == null ? "placement has " : "its placements span ") + expected);
    }
    for (int i = 0; i < shards.size(); i++) {
      if (shards.get(i).ordinal() != i) {
        throw new IllegalArgumentException("shard at position " + i + " has ordinal " + shards.get(i).ordinal());
      }
    }
  }

  /** A table with no transition in progress. */
  public RoutingTable(String cluster, long epoch, VectorSettings vectors, List<ShardEndpoint> shards, Placement placement) {
    this(cluster, epoch, vectors, shards, placement, null);
  }

  public static RoutingTable of(String cluster, long epoch, VectorShardClusterSpec spec, List<ShardEndpoint> shards) {
    return new RoutingTable(cluster, epoch, VectorSettings.of(spec.getVectors()), shards,
        Placement.of(spec.getShards(), spec.getPlacement()));
  }

  public RoutingTable withEpoch(long newEpoch) {
    return new RoutingTable(cluster, newEpoch, vectors, shards, placement, transition);
  }

  /** This table with another transition (null: the transition is over), at the given epoch. */
  public RoutingTable withTransition(Transition next, List<ShardEndpoint> allShards, long newEpoch) {
    return new RoutingTable(cluster, newEpoch, vectors, allShards, placement, next);
  }

  /** How a bucket is served: fixed on its shard, or moving in one of the transition's phases. */
  public enum Movement {
    /** On its shard; no transition touches it. */
    NONE,
    /**
     * Moving in one step (MIGRATE): the source holds the key until it is gone to the target at
     * once. Writes go to the source while it holds the key, else to the target; reads likewise.
     */
    ATOMIC,
    /** Streaming, see {@link Transition.Phase#COPYING}. */
    COPYING,
    /** Streaming, see {@link Transition.Phase#FENCED}. */
    FENCED,
    /** Streaming, see {@link Transition.Phase#SWITCHED}. */
    SWITCHED,
    /**
     * The tenant is re-bucketed and its copy is running: the key of the element's old bucket, on
     * its old shard, stays authoritative for reads; writes go there first (created if absent, the
     * id marked dirty), then to the key of its new bucket as on a streaming target.
     */
    REBUCKETING
  }

  /** Where one element lives (and, while it moves, where it comes from). */
  public BucketLocation locate(String tenant, String vectorId) {
    int bucket = placement.bucketOf(tenant, vectorId);
    if (transition != null && transition.rebuckets(tenant, placement)) {
      Placement old = transition.from();
      int oldBucket = old.bucketOf(tenant, vectorId);
      BucketLocation before = located(tenant, oldBucket, old, Movement.NONE, null);
      return switch (transition.rebucketPhaseOf(tenant).orElse(null)) {
        case null -> before;
        case SWITCHED -> located(tenant, bucket, placement, Movement.NONE, null);
        case COPYING -> located(tenant, bucket, placement, Movement.REBUCKETING, before);
        case FENCED -> located(tenant, bucket, placement, Movement.FENCED, before);
      };
    }
    return locate(tenant, bucket, placement.shardOf(tenant, bucket));
  }

  /** Every bucket of a tenant a search reads, with its shard. */
  public List<BucketLocation> bucketsOf(String tenant) {
    if (transition != null && transition.rebuckets(tenant, placement)) {
      // Searched where the tenant is served: its old count's keys until its switch.
      boolean switched = transition.rebucketPhaseOf(tenant).orElse(null) == Transition.Phase.SWITCHED;
      return unmoved(tenant, switched ? placement : transition.from());
    }
    int[] owners = placement.shardsOf(tenant);
    if (owners.length == 1) {
      return List.of(locate(tenant, 0, owners[0]));
    }
    BucketLocation[] buckets = new BucketLocation[owners.length];
    for (int b = 0; b < owners.length; b++) {
      buckets[b] = locate(tenant, b, owners[b]);
    }
    return List.of(buckets);
  }

  /**
   * While a tenant is re-bucketed, the keys of the count it is not served from: before its switch
   * the new count's (copies are being written there: {@link Movement#REBUCKETING}), after it the
   * old count's (being removed: {@link Movement#NONE}). Empty for any other tenant. A drop
   * deletes these too.
   */
  public List<BucketLocation> shadowBucketsOf(String tenant) {
    if (transition == null || !transition.rebuckets(tenant, placement)) {
      return List.of();
    }
    if (transition.rebucketPhaseOf(tenant).orElse(null) == Transition.Phase.SWITCHED) {
      return unmoved(tenant, transition.from());
    }
    return unmoved(tenant, placement).stream()
        .map(b -> new BucketLocation(tenant, b.bucket(), b.key(), b.shard(), null, null, Movement.REBUCKETING)).toList();
  }

  /** Each bucket of the tenant under one placement, at its shard there, not moving. */
  private List<BucketLocation> unmoved(String tenant, Placement under) {
    List<BucketLocation> buckets = new ArrayList<>(under.bucketsOf(tenant));
    for (int b = 0; b < under.bucketsOf(tenant); b++) {
      buckets.add(located(tenant, b, under, Movement.NONE, null));
    }
    return List.copyOf(buckets);
  }

  /** A bucket at its shard under {@code under}; while re-bucketing, with the old location it is copied from. */
  private BucketLocation located(String tenant, int bucket, Placement under, Movement movement, BucketLocation from) {
    String key = Keys.bucket(tenant, bucket, under.bucketsOf(tenant));
    ShardEndpoint shard = shards.get(under.shardOf(tenant, bucket));
    return from == null ? new BucketLocation(tenant, bucket, key, shard, null, null, movement)
        : new BucketLocation(tenant, bucket, key, shard, from.shard(), from.key(), movement);
  }

  private BucketLocation locate(String tenant, int bucket, int home) {
    String key = Keys.bucket(tenant, bucket, placement.bucketsOf(tenant));
    ShardEndpoint shard = shards.get(home);
    if (transition == null) {
      return new BucketLocation(tenant, bucket, key, shard, null, null, Movement.NONE);
    }
    int from = transition.from().shardOf(tenant, bucket);
    if (from == home) {
      return new BucketLocation(tenant, bucket, key, shard, null, null, Movement.NONE);
    }
    Movement movement = transition.phaseOf(tenant, bucket).map(phase -> switch (phase) {
      case COPYING -> Movement.COPYING;
      case FENCED -> Movement.FENCED;
      case SWITCHED -> Movement.SWITCHED;
    }).orElse(Movement.ATOMIC);
    return new BucketLocation(tenant, bucket, key, shard, shards.get(from), key, movement);
  }

  /**
   * A tenant's bucket, its key and the shard that owns it under this table.
   *
   * @param shard the bucket's shard under the table's placement (its home once any move is done)
   * @param source while the bucket moves, the shard it moves from; null when it does not move
   * @param sourceKey the key on {@code source}: {@code key} itself, but the old bucket's key while
   *     the tenant is re-bucketed; null when it does not move
   */
  public record BucketLocation(String tenant, int bucket, String key, ShardEndpoint shard, ShardEndpoint source,
      String sourceKey, Movement movement) {

    /**
     * Whether reads ask the source first: while it may still be authoritative. A read there checks
     * that the key still exists after searching it, and asks {@link #shard} when it does not.
     */
    public boolean readsSourceFirst() {
      return movement == Movement.ATOMIC || movement == Movement.COPYING || movement == Movement.FENCED
          || movement == Movement.REBUCKETING;
    }

    /** The shard a read asks first. */
    public ShardEndpoint readFrom() {
      return readsSourceFirst() ? source : shard;
    }

    /** The key a read asks first, on {@link #readFrom}. */
    public String readKey() {
      return readsSourceFirst() ? sourceKey : key;
    }
  }
}
