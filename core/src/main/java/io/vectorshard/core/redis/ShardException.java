package io.vectorshard.core.redis;

/** A shard could not answer: down, unreachable, or past its deadline. The message names the shard. */
public class ShardException extends RuntimeException {
  private final String shard;
  private final boolean timeout;
  private final String detail;

  public ShardException(String shard, boolean timeout, String detail, Throwable cause) {
    super("shard " + shard + (timeout ? " timed out: " : " unavailable: ") + detail, cause);
    this.shard = shard;
    this.timeout = timeout;
    this.detail = detail;
  }

  /** What went wrong, without the shard prefix of the message. */
  public String detail() { return detail; }

  public String shard() { return shard; }
  public boolean timeout() { return timeout; }
}
