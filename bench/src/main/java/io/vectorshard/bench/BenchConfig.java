package io.vectorshard.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameters of one benchmark run, from {@code --name value} or {@code --name=value} arguments.
 * Every parameter has a default sized so the whole run takes about two minutes on a 2-core machine.
 */
record BenchConfig(
    int vectors,
    int dims,
    int clusters,
    int tenants,
    int shards,
    double noise,
    double cellSeconds,
    double warmupSeconds,
    int rounds,
    int highConcurrency,
    int batch,
    int scatterQueries,
    int recallQueries,
    int topK,
    int ef,
    long seed,
    boolean jdkClient) {

  static final String USAGE = """
      usage: RouterBenchmark [--name value ...]
        --vectors N          vectors in the data set, over all tenants            (20000)
        --dims D             vector dimensions                                     (128)
        --clusters C         cluster centers the vectors are drawn around          (64)
        --tenants T          tenants; sizes skewed (Zipf, s=1), pinned round-robin  (8)
        --shards S           Redis shards (>= 2)                                    (4)
        --noise X            norm of the gaussian noise added to a unit center     (0.7)
        --seconds X          measured seconds per latency cell and round            (2.5)
        --warmup-seconds X   unmeasured warm-up before each latency cell            (0.75)
        --rounds R           rounds per latency cell (the modes are interleaved)    (2)
        --concurrency N      the high concurrency level (the low one is always 1)   (16)
        --batch N            vectors per ingest batch                               (500)
        --scatter-queries N  measured scatter-gather queries                        (1500)
        --recall-queries N   queries for the recall comparison                      (100)
        --top-k K            COUNT / topK of every query                            (10)
        --ef N               EF of every query                                      (100)
        --seed N             random seed of the data and queries                    (42)
        --jdk-client B       section 5: the router through java.net.http too         (true)
      """;

  static BenchConfig parse(String[] args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("-h") || arg.equals("--help")) {
        throw new IllegalArgumentException("");
      }
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument \"" + arg + "\"");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
      values.put(name, value);
    }
    Reader r = new Reader(values);
    BenchConfig config = new BenchConfig(
        r.integer("vectors", 20_000, 100, 5_000_000),
        r.integer("dims", 128, 2, 4096),
        r.integer("clusters", 64, 1, 100_000),
        r.integer("tenants", 8, 1, 1000),
        r.integer("shards", 4, 2, 64),
        r.decimal("noise", 0.7, 0, 100),
        r.decimal("seconds", 2.5, 0.1, 3600),
        r.decimal("warmup-seconds", 0.75, 0, 3600),
        r.integer("rounds", 2, 1, 100),
        r.integer("concurrency", 16, 2, 1024),
        r.integer("batch", 500, 1, 1000),
        r.integer("scatter-queries", 1500, 10, 10_000_000),
        r.integer("recall-queries", 100, 1, 100_000),
        r.integer("top-k", 10, 1, 1000),
        r.integer("ef", 100, 1, 10_000),
        r.integer("seed", 42, Integer.MIN_VALUE, Integer.MAX_VALUE),
        Boolean.parseBoolean(values.getOrDefault("jdk-client", "true")));
    values.remove("jdk-client");
    if (!values.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s): --" + String.join(", --", values.keySet()));
    }
    if (config.tenants < config.shards) {
      throw new IllegalArgumentException("--tenants must be >= --shards so every shard holds a tenant");
    }
    return config;
  }

  long cellNanos() {
    return (long) (cellSeconds * 1e9);
  }

  long warmupNanos() {
    return (long) (warmupSeconds * 1e9);
  }

  /** Consumes the parsed options one by one, so leftovers are unknown options. */
  private record Reader(Map<String, String> values) {
    int integer(String name, int fallback, int min, int max) {
      String v = values.remove(name);
      if (v == null) {
        return fallback;
      }
      try {
        int parsed = Integer.parseInt(v.trim());
        if (parsed < min || parsed > max) {
          throw new NumberFormatException();
        }
        return parsed;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " must be an integer in " + min + ".." + max + ", got " + v);
      }
    }

    double decimal(String name, double fallback, double min, double max) {
      String v = values.remove(name);
      if (v == null) {
        return fallback;
      }
      try {
        double parsed = Double.parseDouble(v.trim());
        if (!(parsed >= min && parsed <= max)) {
          throw new NumberFormatException();
        }
        return parsed;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--" + name + " must be a number in " + min + ".." + max + ", got " + v);
      }
    }
  }
}
