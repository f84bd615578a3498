package io.vectorshard.core.redis;

/**
 * How a shard treats a write to one bucket key, chosen by the router from the routing table's
 * transition. The letters are what the function library reads (vsc.lua explains each).
 */
public enum WriteMode {
  /** The key's home: write it. */
  HOME('n'),
  /** The source of an atomic move: write only while the shard still holds the key, else "moved". */
  ATOMIC_SOURCE('s'),
  /** The source of a streaming move: as {@link #ATOMIC_SOURCE}, and mark the id dirty for verification. */
  STREAM_SOURCE('S'),
  /** The target of a streaming move: write, keep tombstones of deletes, mark the id dirty. */
  STREAM_TARGET('T'),
  /** The old bucket of a re-bucketed tenant while its copy runs: write (creating the key), mark the id dirty. */
  REBUCKET_SOURCE('R');

  private final char letter;

  WriteMode(char letter) {
    this.letter = letter;
  }

  char letter() {
    return letter;
  }
}
