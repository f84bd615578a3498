package io.vectorshard.router.query;

/** A query over one of the {@link QueryLimits}: the client's to fix (400). */
public class QueryLimitException extends IllegalArgumentException {
  public QueryLimitException(String message) {
    super(message);
  }
}
