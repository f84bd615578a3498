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

  /** The vector set holding one bucket of a tenant: {@code vsc:t:{tenant}:bucket}. */
  public static String bucket(String tenant, int bucket) {
    if (bucket < 0) {
      throw new IllegalArgumentException("bucket must be >= 0");
    }
    return "vsc:t:{" + Names.tenant(tenant) + "}:" + bucket;
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

  /** A key kept beside a bucket key, with the same tenant and bucket (and hash tag). */
  private static String besideBucket(String prefix, String bucketKey) {
    BucketKey b = parseBucket(bucketKey).orElseThrow(() -> new IllegalArgumentException("not a bucket key: " + bucketKey));
    return prefix + "{" + b.tenant() + "}:" + b.bucket();
  }

  /** Pattern of every bucket key, for SCAN. */
  public static final String BUCKET_PATTERN = "vsc:t:*";
  private static final Pattern BUCKET_KEY =
      Pattern.compile("vsc:t:\\{(" + Names.TENANT.pattern() + ")}:(0|[1-9][0-9]{0,8})");

  /** A bucket named by its key. */
  public record BucketKey(String tenant, int bucket) {}

  /** The tenant and bucket of a bucket key; empty for any other key. */
  public static Optional<BucketKey> parseBucket(String key) {
    Matcher m = BUCKET_KEY.matcher(key);
    return m.matches() ? Optional.of(new BucketKey(m.group(1), Integer.parseInt(m.group(2))))
        : Optional.empty();
  }
}
