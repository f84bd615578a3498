package io.vectorshard.router.http;

/** The client sent something the router will not act on. Always answered 400, nothing changed. */
public class BadRequestException extends IllegalArgumentException {
  public BadRequestException(String message) {
    super(message);
  }
}
