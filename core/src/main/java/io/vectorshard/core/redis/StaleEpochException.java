package io.vectorshard.core.redis;

/** A shard refused a write because its epoch is newer than the caller's routing table. */
public class StaleEpochException extends RuntimeException {
  private final String shard;
  private final long shardEpoch;

  public StaleEpochException(String shard, long shardEpoch) {
    super("shard " + shard + " is at epoch " + shardEpoch);
    this.shard = shard;
    this.shardEpoch = shardEpoch;
  }

  public String shard() { return shard; }
  public long shardEpoch() { return shardEpoch; }
}
