package io.vectorshard.core.redis;

import io.vectorshard.core.tenant.Names;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Redis key layout. Every key vectorshard touches is built here, and tenant keys only from a
 * validated tenant id, so no client input can name a key outside its tenant (contract 1).
 */
public final class Keys {
  public static final String EPOCH = "vsc:epoch";
  public static final String ROUTING = "vsc:routing";
  /** Pub/sub channel announcing a new epoch; same name as the key, a different namespace in Redis. */
  public static final String ROUTING_CHANNEL = "vsc:routing";
  public static final String TENANTS = "vsc:tenants";

  private Keys() {}

  /**
   * The vector set holding one bucket of a tenant spread over {@code buckets}: {@code vsc:t:{tenant}:0}
   * for a tenant in one bucket, {@code vsc:t:{tenant}:<bucket>of<buckets>} otherwise. The count is
   * part of the name because a bucket holds other elements under another count: while a tenant is
   * re-bucketed, the keys of its old count and of its new one live side by side.
   */
  public static String bucket(String tenant, int bucket, int buckets) {
    if (bucket < 0 || bucket >= buckets) {
      throw new IllegalArgumentException("bucket must be in 0.." + (buckets - 1) + ", got " + bucket);
    }
    String prefix = "vsc:t:{" + Names.tenant(tenant) + "}:";
    return buckets == 1 ? prefix + "0" : prefix + bucket + "of" + buckets;
  }

  /** The key of a parsed bucket. */
  public static String bucket(BucketKey key) {
    return bucket(key.tenant(), key.bucket(), key.buckets());
  }

  /**
   * The ids written to a bucket key while it streams to another shard, re-checked before the
   * switch: {@code vsc:dirty:{tenant}:bucket}, on both shards of the move.
   */
  public static String dirty(String bucketKey) {
    return besideBucket("vsc:dirty:", bucketKey);
  }

  /** The ids deleted on the target of a streaming move, so the copier never brings them back. */
  public static String tombstones(String bucketKey) {
    return besideBucket("vsc:tomb:", bucketKey);
  }

  /** A key kept beside a bucket key, with the same tenant, bucket and count (and hash tag). */
  private static String besideBucket(String prefix, String bucketKey) {
    if (parseBucket(bucketKey).isEmpty()) {
      throw new IllegalArgumentException("not a bucket key: " + bucketKey);
    }
    return prefix + bucketKey.substring(BUCKET_PREFIX.length());
  }

  /** Pattern of every bucket key, for SCAN. */
  public static final String BUCKET_PATTERN = "vsc:t:*";
  private static final String BUCKET_PREFIX = "vsc:t:";
  private static final Pattern BUCKET_KEY = Pattern.compile(
      "vsc:t:\\{(" + Names.TENANT.pattern() + ")}:(?:0|(0|[1-9][0-9]{0,8})of([2-9]|[1-9][0-9]{1,8}))");

  /**
   * A bucket named by its key.
   *
   * @param buckets how many buckets the tenant was spread over when the key was written
   */
  public record BucketKey(String tenant, int bucket, int buckets) {}

  /** The tenant, bucket and count of a bucket key; empty for any other key (or a bucket out of its count). */
  public static Optional<BucketKey> parseBucket(String key) {
    Matcher m = BUCKET_KEY.matcher(key);
    if (!m.matches()) {
      return Optional.empty();
    }
    if (m.group(2) == null) {
      return Optional.of(new BucketKey(m.group(1), 0, 1));
    }
    int bucket = Integer.parseInt(m.group(2));
    int buckets = Integer.parseInt(m.group(3));
    return bucket < buckets ? Optional.of(new BucketKey(m.group(1), bucket, buckets)) : Optional.empty();
  }
}
