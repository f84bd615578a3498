package io.vectorshard.core.redis;

/** Redis rejected a VSIM FILTER expression. The client's fault: a 400, not a shard failure. */
public class FilterSyntaxException extends IllegalArgumentException {
  public FilterSyntaxException(String message) {
    super(message);
  }
}
