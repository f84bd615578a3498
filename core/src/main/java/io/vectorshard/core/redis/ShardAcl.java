package io.vectorshard.core.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The Redis ACL users of every shard, as {@code redis.conf} directives. Two users, least privilege:
 *
 * <ul>
 *   <li>{@code default}, the administrator (the operator and local mode): loads the function library,
 *       publishes routing tables, moves data (MIGRATE, SCAN, VRANDMEMBER), shuts shards down.
 *   <li>{@value #ROUTER_USER}, the router's: the data path only. It reads and writes tenant keys and
 *       their streaming sets, reads {@code vsc:epoch} and {@code vsc:routing} and hears announcements
 *       on the {@code vsc:routing} channel; it cannot write either key, publish, load or flush
 *       functions, or run admin commands. A router credential therefore cannot publish a forged
 *       table: {@code FCALL vsc_publish} declares both keys, which needs write access (NOPERM).
 * </ul>
 *
 * <p>The write functions run as their caller, so the router's user holds the commands they call
 * (VADD, VREM, SADD, ...), and could run them directly, unfenced, on tenant keys: a router
 * credential can always write any tenant's data; what it cannot do is change where data lives.
 * The fenced functions read {@code vsc:epoch} without declaring it (a declared key needs read and
 * write access); see vsc.lua.
 *
 * <p>Passwords go into the file as SHA-256 hashes ({@code #<hex>}), so a shard's configuration
 * holds no password.
 */
public final class ShardAcl {
  public static final String ROUTER_USER = "vsc-router";

  /**
   * What the router's user may touch and run, after its password; one place for every launcher
   * (local mode writes it through {@link #directives}, the operator's shard pods from their
   * environment).
   */
  public static final String ROUTER_RULES = String.join(" ",
      "resetchannels", "&" + Keys.ROUTING_CHANNEL,
      "resetkeys", "~vsc:t:*", "~" + Keys.TENANTS, "~vsc:dirty:*", "~vsc:tomb:*",
      "%R~" + Keys.EPOCH, "%R~" + Keys.ROUTING,
      "-@all",
      // connection upkeep: pool validation, the client name, Jedis's CLIENT SETINFO, the watcher
      "+ping", "+client|setname", "+client|setinfo", "+subscribe", "+unsubscribe",
      // reads: searches, fetches, the epoch check, the table, the tenant list
      "+vsim", "+vemb", "+vgetattr", "+vcard", "+vdim", "+vismember", "+exists", "+get", "+smembers",
      // the fenced write functions and what they call
      "+fcall", "+vadd", "+vsetattr", "+vrem", "+sadd", "+srem", "+del");

  private ShardAcl() {}

  /**
   * The directives that create both users: the administrator with every right, the router's with
   * {@link #ROUTER_RULES}.
   */
  public static List<String> directives(String adminPassword, String routerPassword) {
    return List.of(
        "user default reset on #" + sha256(adminPassword) + " ~* &* +@all",
        "user " + ROUTER_USER + " reset on #" + sha256(routerPassword) + " " + ROUTER_RULES);
  }

  static String sha256(String password) {
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException("every shard user needs a password");
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }
}
