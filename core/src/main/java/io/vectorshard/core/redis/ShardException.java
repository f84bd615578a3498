package io.vectorshard.core.redis;

/** A shard could not answer: down, unreachable, or past its deadline. The message names the shard. */
public class ShardException extends RuntimeException {
  private final String shard;
  private final boolean timeout;

  public ShardException(String shard, boolean timeout, String message, Throwable cause) {
    super("shard " + shard + (timeout ? " timed out: " : " unavailable: ") + message, cause);
    this.shard = shard;
    this.timeout = timeout;
  }

  public String shard() { return shard; }
  public boolean timeout() { return timeout; }
}
