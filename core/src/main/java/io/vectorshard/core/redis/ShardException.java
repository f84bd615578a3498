package io.vectorshard.core.redis;

import java.util.Locale;
import java.util.Optional;

/**
 * A shard could not answer: down, unreachable, past its deadline, or refusing for a reason of its
 * own (still loading, busy, refusing the credentials). The message names the shard; the reason says
 * which, so the router can answer 504 or 503 and log the shard's state once when it changes.
 */
public class ShardException extends RuntimeException {
  /** Why a shard did not answer. */
  public enum Reason {
    /** Past the call's deadline (socket timeout, or no free connection in time). */
    TIMEOUT("timed out"),
    /** Connection refused, reset or lost; or the shard cannot be resolved. */
    UNREACHABLE("is unreachable"),
    /** {@code LOADING}: restarted and still loading its dataset; answers once loaded. */
    LOADING("is still loading its dataset"),
    /** {@code BUSY}: a script or function has run past {@code busy-reply-threshold}. */
    BUSY("is busy running a script"),
    /** {@code NOAUTH}, {@code WRONGPASS}, {@code NOPERM}: the shard refused this client's user or command. */
    AUTH("refused the credentials"),
    /** {@code READONLY}, {@code MASTERDOWN}: the address is a replica, not the shard's primary. */
    NOT_PRIMARY("is not a primary"),
    /** {@code OOM}: a write refused at {@code maxmemory}. */
    OUT_OF_MEMORY("is out of memory"),
    /** Not sent: this router already runs as many searches on the shard as it may (a bulkhead). */
    OVERLOADED("has too many searches running from this router"),
    /** Anything else that kept the call from ending (an interrupt, a malformed reply). */
    FAILED("failed");

    private final String description;

    Reason(String description) {
      this.description = description;
    }

    /** How it reads after "shard shard-1 ". */
    public String description() {
      return description;
    }

    /** The reason in error bodies and metric labels: {@code loading}, {@code not_primary}, ... */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The reason a Redis error reply names by its first word, if it is about the shard's state or
     * the client's rights rather than the command (a syntax error, a bug of ours, is not among them).
     */
    static Optional<Reason> ofReply(String message) {
      String code = message == null ? "" : message.split(" ", 2)[0];
      return Optional.ofNullable(switch (code) {
        case "LOADING" -> LOADING;
        case "BUSY" -> BUSY;
        case "NOAUTH", "WRONGPASS", "NOPERM" -> AUTH;
        case "READONLY", "MASTERDOWN" -> NOT_PRIMARY;
        case "OOM" -> OUT_OF_MEMORY;
        default -> null;
      });
    }
  }

  private final String shard;
  private final Reason reason;
  private final String detail;

  public ShardException(String shard, Reason reason, String detail, Throwable cause) {
    super("shard " + shard + " " + reason.description() + ": " + detail, cause);
    this.shard = shard;
    this.reason = reason;
    this.detail = detail;
  }

  /** What went wrong, without the shard prefix of the message. */
  public String detail() { return detail; }

  public String shard() { return shard; }
  public Reason reason() { return reason; }
  public boolean timeout() { return reason == Reason.TIMEOUT; }
}
