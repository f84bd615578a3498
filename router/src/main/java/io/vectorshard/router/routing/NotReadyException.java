package io.vectorshard.router.routing;

/** The router has no routing table yet, so it cannot route anything (HTTP 503). */
public class NotReadyException extends RuntimeException {
  public NotReadyException(String message) {
    super(message);
  }
}
