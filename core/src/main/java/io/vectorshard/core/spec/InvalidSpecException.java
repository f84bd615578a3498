package io.vectorshard.core.spec;

/** A cluster spec that must not be acted on; the message lists every problem found. */
public class InvalidSpecException extends IllegalArgumentException {
  public InvalidSpecException(String message) {
    super(message);
  }
}
