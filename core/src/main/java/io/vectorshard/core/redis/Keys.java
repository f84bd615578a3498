package io.vectorshard.core.redis;

import io.vectorshard.core.tenant.Names;

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
}
