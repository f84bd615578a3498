package io.vectorshard.core.redis;

import java.security.SecureRandom;

/**
 * Who a connection authenticates as on a shard: an ACL user and its password. Shards have two users
 * ({@link ShardAcl}): the administrator (Redis's {@code default} user: the operator and local mode,
 * which load functions, publish tables and move data) and the router's, which may only run the data
 * path. {@code toString} never shows the password, so a record printed in a log leaks nothing.
 *
 * @param user the ACL user, or null for {@code default}
 * @param password the password, or null to send no AUTH (a shard without a password: tests' probes)
 */
public record ShardCredentials(String user, String password) {
  /** No AUTH at all. Shards vectorshard starts always require a password; this is for probes and tests. */
  public static final ShardCredentials NONE = new ShardCredentials(null, null);
  private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();

  /** 32 characters from a 57-letter alphabet (about 186 bits), safe in redis.conf quotes and shells. */
  public static String generatePassword() {
    StringBuilder password = new StringBuilder(32);
    for (int i = 0; i < 32; i++) {
      password.append(ALPHABET[SecureRandomHolder.SECURE.nextInt(ALPHABET.length)]);
    }
    return password.toString();
  }

  /**
   * Created on the first password generated: a router, which uses this record but never generates
   * one, does not pay for the security providers' start (15-30 ms of a JVM's first seconds).
   */
  private static final class SecureRandomHolder {
    static final SecureRandom SECURE = new SecureRandom();
  }

  /** The administrator: Redis's {@code default} user with the cluster's password. */
  public static ShardCredentials admin(String password) {
    return new ShardCredentials(null, password);
  }

  /** The router's user ({@link ShardAcl#ROUTER_USER}) with its password. */
  public static ShardCredentials router(String password) {
    return new ShardCredentials(ShardAcl.ROUTER_USER, password);
  }

  public boolean authenticates() {
    return password != null && !password.isEmpty();
  }

  @Override
  public String toString() {
    return "ShardCredentials[user=" + (user == null ? "default" : user) + ", password=" + (authenticates() ? "***" : "none") + "]";
  }
}
