package io.vectorshard.core.tenant;

/** A client-supplied name that may not reach Redis. Always the client's fault (HTTP 400). */
public class InvalidNameException extends IllegalArgumentException {
  public InvalidNameException(String message) {
    super(message);
  }
}
