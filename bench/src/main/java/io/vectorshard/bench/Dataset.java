package io.vectorshard.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * A synthetic corpus that behaves like text embeddings: unit vectors drawn around a fixed set of
 * cluster centers with gaussian noise. Tenants have skewed sizes (Zipf, s = 1) and each its own
 * skewed mix of topics (clusters), so results of a cross-tenant query come from several tenants.
 * All vectors stay in memory (float32, as sent) for the brute-force ground truth.
 */
final class Dataset {
  /** One tenant's vectors, ids and metadata JSON, and the shard ordinal it is pinned to. */
  record Tenant(String name, int shard, String[] ids, float[][] vectors, String[] attributes, double[] clusterCdf) {
    int size() {
      return ids.length;
    }
  }

  /** An element of the whole corpus with its exact cosine to a query. */
  record Scored(String tenant, String id, double cosine) {}

  final int dims;
  final float[][] centers;
  final List<Tenant> tenants;
  private final double noise;
  private final double[] tenantCdf;

  private Dataset(int dims, float[][] centers, List<Tenant> tenants, double noise) {
    this.dims = dims;
    this.centers = centers;
    this.tenants = tenants;
    this.noise = noise;
    double[] weights = tenants.stream().mapToDouble(Tenant::size).toArray();
    this.tenantCdf = cdf(weights);
  }

  static Dataset generate(BenchConfig config) {
    SplittableRandom random = new SplittableRandom(config.seed());
    int dims = config.dims();
    float[][] centers = new float[config.clusters()][];
    for (int c = 0; c < centers.length; c++) {
      float[] v = new float[dims];
      for (int d = 0; d < dims; d++) {
        v[d] = (float) gaussian(random);
      }
      centers[c] = normalize(v);
    }
    // Zipf sizes: tenant i gets a share proportional to 1/(i+1).
    double harmonic = 0;
    for (int i = 1; i <= config.tenants(); i++) {
      harmonic += 1.0 / i;
    }
    List<Tenant> tenants = new ArrayList<>();
    int assigned = 0;
    for (int t = 0; t < config.tenants(); t++) {
      int size = t == config.tenants() - 1 ? config.vectors() - assigned
          : (int) Math.round(config.vectors() / harmonic / (t + 1));
      size = Math.max(1, size);
      assigned += size;
      String name = String.format("tenant-%02d", t);
      // The tenant's topics: a random permutation of the clusters with Zipf weights.
      List<Integer> order = new ArrayList<>();
      for (int c = 0; c < centers.length; c++) {
        order.add(c);
      }
      Collections.shuffle(order, new Random(random.nextLong()));
      double[] weights = new double[centers.length];
      for (int rank = 0; rank < order.size(); rank++) {
        weights[order.get(rank)] = 1.0 / (rank + 1);
      }
      double[] clusterCdf = cdf(weights);
      String[] ids = new String[size];
      float[][] vectors = new float[size][];
      String[] attributes = new String[size];
      for (int i = 0; i < size; i++) {
        int cluster = pick(clusterCdf, random.nextDouble());
        ids[i] = String.format("doc-%02d-%06d", t, i);
        vectors[i] = around(centers[cluster], config.noise(), random);
        attributes[i] = "{\"doc\":\"" + ids[i] + "\",\"cluster\":" + cluster + ",\"lang\":\"en\",\"year\":"
            + (2015 + random.nextInt(11)) + "}";
      }
      tenants.add(new Tenant(name, t % config.shards(), ids, vectors, attributes, clusterCdf));
    }
    return new Dataset(dims, centers, List.copyOf(tenants), config.noise());
  }

  int size() {
    return tenants.stream().mapToInt(Tenant::size).sum();
  }

  /** A query like the tenant's own documents: one of its topics plus fresh noise. Not a stored vector. */
  float[] queryFor(Tenant tenant, SplittableRandom random) {
    return around(centers[pick(tenant.clusterCdf(), random.nextDouble())], noise, random);
  }

  /** A query drawn from the whole corpus' mix (a tenant by size, then one of its topics). */
  float[] queryForCorpus(SplittableRandom random) {
    return queryFor(tenants.get(pick(tenantCdf, random.nextDouble())), random);
  }

  /** Exact top-k by cosine over every vector of every tenant (vectors are unit length: dot product). */
  List<Scored> exactTopK(float[] query, int k) {
    PriorityQueue<Scored> heap = new PriorityQueue<>(Comparator.comparingDouble(Scored::cosine));
    for (Tenant t : tenants) {
      for (int i = 0; i < t.size(); i++) {
        double cos = dot(query, t.vectors()[i]);
        if (heap.size() < k) {
          heap.add(new Scored(t.name(), t.ids()[i], cos));
        } else if (cos > heap.peek().cosine()) {
          heap.poll();
          heap.add(new Scored(t.name(), t.ids()[i], cos));
        }
      }
    }
    List<Scored> result = new ArrayList<>(heap);
    result.sort(Comparator.comparingDouble(Scored::cosine).reversed());
    return result;
  }

  Tenant tenant(String name) {
    return tenants.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
  }

  static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  private static float[] around(float[] center, double noiseNorm, SplittableRandom random) {
    double sigma = noiseNorm / Math.sqrt(center.length);
    float[] v = new float[center.length];
    for (int d = 0; d < v.length; d++) {
      v[d] = (float) (center[d] + sigma * gaussian(random));
    }
    return normalize(v);
  }

  private static float[] normalize(float[] v) {
    double norm = Math.sqrt(dot(v, v));
    for (int d = 0; d < v.length; d++) {
      v[d] = (float) (v[d] / norm);
    }
    return v;
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller; SplittableRandom has no nextGaussian on every JDK we build for.
    double u = 1.0 - random.nextDouble();
    double w = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
  }

  private static double[] cdf(double[] weights) {
    double total = Arrays.stream(weights).sum();
    double[] cdf = new double[weights.length];
    double running = 0;
    for (int i = 0; i < weights.length; i++) {
      running += weights[i] / total;
      cdf[i] = running;
    }
    cdf[cdf.length - 1] = 1.0;
    return cdf;
  }

  private static int pick(double[] cdf, double u) {
    int i = Arrays.binarySearch(cdf, u);
    return Math.min(cdf.length - 1, i >= 0 ? i : -i - 1);
  }
}
