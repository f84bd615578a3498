package io.vectorshard.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Pins the 64-bit hash behind placement. The FNV-1a vectors are the published ones (Fowler, Noll,
 * Vo); the hash() and score() values were computed once from this implementation and are frozen:
 * if one of them changes, every deployed cluster would move data.
 */
class StableHashTest {

  @Test
  void fnv1a64MatchesPublishedVectors() {
    assertThat(StableHash.fnv1a64("")).isEqualTo(0xcbf29ce484222325L);
    assertThat(StableHash.fnv1a64("a")).isEqualTo(0xaf63dc4c8601ec8cL);
    assertThat(StableHash.fnv1a64("foobar")).isEqualTo(0x85944171f73967e8L);
  }

  @Test
  void fnv1a64HashesUtf8Bytes() {
    // "ü" is two UTF-8 bytes (c3 bc); hashing chars or Latin-1 bytes would give another value.
    assertThat(StableHash.fnv1a64("dokument-\u00fc")).isEqualTo(0x2b83aebd35af0574L);
    long manual = 0xcbf29ce484222325L;
    for (int b : new int[] {0xc3, 0xbc}) {
      manual ^= b;
      manual *= 0x100000001b3L;
    }
    assertThat(StableHash.fnv1a64("\u00fc")).isEqualTo(manual);
  }

  @Test
  void mixIsTheSplitMix64Finalizer() {
    assertThat(StableHash.mix(0L)).isZero();
    // SplitMix64 seeded with 0: the first output is mix(0 + golden ratio) = 0xe220a8397b1dcdaf.
    assertThat(StableHash.mix(0x9e3779b97f4a7c15L)).isEqualTo(0xe220a8397b1dcdafL);
  }

  @Test
  void hashGoldenValues() {
    assertThat(StableHash.hash("")).isEqualTo(0xf52a15e9a9b5e89bL);
    assertThat(StableHash.hash("a")).isEqualTo(0x02c0bdbf481420f8L);
    assertThat(StableHash.hash("foobar")).isEqualTo(0x404da9e3b74078c2L);
    assertThat(StableHash.hash("acme")).isEqualTo(0x130a76222d4427efL);
    assertThat(StableHash.hash("acme/0")).isEqualTo(0x86075dd61dc5e866L);
    assertThat(StableHash.hash("tenant-00042")).isEqualTo(0x5936ebd8ad57fd1aL);
    assertThat(StableHash.hash("doc-1")).isEqualTo(0xf01348682ab28e14L);
    assertThat(StableHash.hash("dokument-\u00fc")).isEqualTo(0xa0f6e7faa640ac65L);
  }

  @Test
  void hashIsMixOfFnv() {
    for (String s : new String[] {"", "x", "tenant-1/3", "\u6587\u66f8-7"}) {
      assertThat(StableHash.hash(s)).isEqualTo(StableHash.mix(StableHash.fnv1a64(s)));
    }
  }

  @Test
  void scoreGoldenValues() {
    long key = StableHash.hash("acme/0");
    assertThat(StableHash.score(key, 0)).isEqualTo(0x41d60fa602a0f38dL);
    assertThat(StableHash.score(key, 1)).isEqualTo(0xaf69633efe7a07ddL);
    assertThat(StableHash.score(key, 2)).isEqualTo(0x66770380450ce59dL);
    assertThat(StableHash.score(0L, 0)).isEqualTo(0xe220a8397b1dcdafL);
  }

  @Test
  void stepHashesAreReducedUnsigned() {
    // initech's step hash for adding shard 2 is negative as a signed long: unsigned mod 3 is 2 (keep
    // the bucket where it is), signed it would be -2 (< 1: move it). So initech lives on shard 0 of 3,
    // and a port that takes a signed remainder would put it on shard 2.
    long step2 = StableHash.hash("initech/2");
    assertThat(step2).isNegative();
    assertThat(Long.remainderUnsigned(step2, 3)).isEqualTo(2);
    assertThat(Placement.uniform(3).shardOf("initech", 0)).isEqualTo(0);
  }
}
