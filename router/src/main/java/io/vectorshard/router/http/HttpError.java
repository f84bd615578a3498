package io.vectorshard.router.http;

/**
 * A refusal with its own status (413, 415, 503 ...), answered in the JSON envelope; {@code retryable}
 * ones carry {@code Retry-After}, as the condition passes (room in a budget).
 */
final class HttpError extends RuntimeException {
  private final int status;
  private final boolean retryable;

  HttpError(int status, String message, boolean retryable) {
    super(message, null, false, false); // a client's refusal: no stack trace to fill
    this.status = status;
    this.retryable = retryable;
  }

  int status() {
    return status;
  }

  boolean retryable() {
    return retryable;
  }
}
