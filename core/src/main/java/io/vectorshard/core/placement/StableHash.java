package io.vectorshard.core.placement;

import java.nio.charset.StandardCharsets;

/**
 * The 64-bit hash behind placement, chosen to be trivial to reproduce in any language: FNV-1a 64
 * over the UTF-8 bytes, then the SplitMix64 finalizer so that similar strings spread evenly.
 * Changing anything here moves data in every deployed cluster; golden vectors pin it.
 */
public final class StableHash {
  static final long FNV_OFFSET = 0xcbf29ce484222325L;
  static final long FNV_PRIME = 0x100000001b3L;
  /** The 64-bit golden ratio, SplitMix64's increment; used to derive per-shard scores. */
  static final long GOLDEN = 0x9e3779b97f4a7c15L;

  private StableHash() {}

  public static long fnv1a64(String s) {
    long h = FNV_OFFSET;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= FNV_PRIME;
    }
    return h;
  }

  /** SplitMix64's output function (Stafford variant 13). */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  public static long hash(String s) {
    return mix(fnv1a64(s));
  }

  /** Rendezvous weight of a shard for a key hash; compared as unsigned. */
  public static long score(long keyHash, int shardOrdinal) {
    return mix(keyHash + (shardOrdinal + 1L) * GOLDEN);
  }
}
