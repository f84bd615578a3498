package io.vectorshard.core.redis;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a Redis >= 8 server binary, the same way scripts/install-redis.sh does: $VSC_REDIS_SERVER,
 * then the launcher that script unpacks into {@code .tools/redis} of the project (looked for from
 * the working directory upwards), then {@code redis-server} on PATH. Never guesses further: the
 * error says how to get one.
 */
public final class RedisBinary {
  public static final String ENV = "VSC_REDIS_SERVER";
  static final String HOW_TO = "No Redis >= 8 server found. Run scripts/install-redis.sh (it unpacks Debian 13's"
      + " redis-server without root), install Redis 8 and put redis-server on PATH, or set " + ENV + ".";
  private static final Pattern VERSION = Pattern.compile("v=(\\d+)\\.");

  private RedisBinary() {}

  public static Path find() {
    String fromEnv = System.getenv(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      Path path = Path.of(fromEnv);
      if (majorVersion(path).orElse(0) < 8) {
        throw new IllegalStateException(ENV + "=" + fromEnv + " is not a Redis >= 8 server. " + HOW_TO);
      }
      return path;
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path launcher = dir.resolve(".tools/redis/bin/redis-server");
      if (Files.isExecutable(launcher) && majorVersion(launcher).orElse(0) >= 8) {
        return launcher;
      }
    }
    String pathVar = System.getenv().getOrDefault("PATH", "");
    for (String dir : pathVar.split(":")) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "redis-server");
      if (Files.isExecutable(candidate) && majorVersion(candidate).orElse(0) >= 8) {
        return candidate;
      }
    }
    throw new IllegalStateException(HOW_TO);
  }

  static Optional<Integer> majorVersion(Path binary) {
    try {
      Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.empty();
      }
      Matcher m = VERSION.matcher(out);
      return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
