package io.vectorshard.core.placement;

import io.vectorshard.api.PlacementSpec;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Which shard holds each bucket of each tenant: a pure, deterministic function of this record.
 *
 * <p>Rendezvous (highest-random-weight) hashing over shard ordinals: bucket {@code b} of tenant
 * {@code t} goes to the candidate shard with the highest {@link StableHash#score} for the key
 * {@code hash("t/b")}, skipping shards already taken by the tenant's earlier buckets in the same
 * round, so a spread tenant's buckets land on distinct shards while buckets <= candidates.
 * Candidates are all shards, or the tenant's pinned shards. Adding shard N moves a default tenant
 * only if the new shard outscores its current one (probability 1/(N+1)) and then only onto the new
 * shard; removing a shard moves only the buckets it held. docs/placement.md has the algorithm in
 * pseudo code and PlacementGoldenTest pins it.
 *
 * @param shards number of shards, ordinals {@code 0..shards-1}
 * @param defaultBuckets buckets of a tenant not listed in {@code spread}
 * @param pinned tenant to the shard ordinals it may live on
 * @param spread tenant to its bucket count
 */
public record Placement(int shards, int defaultBuckets, Map<String, List<Integer>> pinned,
    Map<String, Integer> spread) {

  public Placement {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be >= 1, got " + shards);
    }
    if (defaultBuckets < 1) {
      throw new IllegalArgumentException("defaultBuckets must be >= 1, got " + defaultBuckets);
    }
    pinned = Map.copyOf(pinned == null ? Map.of() : pinned);
    spread = Map.copyOf(spread == null ? Map.of() : spread);
    pinned.forEach((tenant, ordinals) -> {
      if (ordinals.isEmpty() || ordinals.stream().anyMatch(o -> o < 0 || o >= shards)) {
        throw new IllegalArgumentException("tenant " + tenant + " is pinned to " + ordinals
            + " but shard ordinals are 0.." + (shards - 1));
      }
    });
    spread.forEach((tenant, buckets) -> {
      if (buckets < 1) {
        throw new IllegalArgumentException("tenant " + tenant + " spread over " + buckets + " buckets");
      }
    });
  }

  public static Placement uniform(int shards) {
    return new Placement(shards, 1, Map.of(), Map.of());
  }

  public static Placement of(int shards, PlacementSpec spec) {
    Map<String, List<Integer>> pinned = spec.getPinned().stream().collect(Collectors.toMap(
        PlacementSpec.PinnedTenant::getTenant, p -> List.copyOf(p.getShards()), (a, b) -> a, TreeMap::new));
    Map<String, Integer> spread = spec.getSpread().stream().collect(Collectors.toMap(
        PlacementSpec.SpreadTenant::getTenant, PlacementSpec.SpreadTenant::getBuckets, (a, b) -> a, TreeMap::new));
    return new Placement(shards, spec.getDefaultBuckets(), pinned, spread);
  }

  public Placement withShards(int newShards) {
    return new Placement(newShards, defaultBuckets, pinned, spread);
  }

  public int bucketsOf(String tenant) {
    return spread.getOrDefault(tenant, defaultBuckets);
  }

  /** The bucket an element belongs to: {@code hash(id) mod buckets}, unsigned. */
  public int bucketOf(String tenant, String vectorId) {
    int buckets = bucketsOf(tenant);
    return buckets == 1 ? 0 : (int) Long.remainderUnsigned(StableHash.hash(vectorId), buckets);
  }

  public int shardOf(String tenant, int bucket) {
    return shardsOf(tenant)[bucket];
  }

  /** The shard ordinal of every bucket of the tenant, indexed by bucket. */
  public int[] shardsOf(String tenant) {
    int[] candidates = candidates(tenant);
    int buckets = bucketsOf(tenant);
    int[] result = new int[buckets];
    for (int bucket = 0; bucket < buckets; bucket++) {
      int roundStart = bucket - bucket % candidates.length;
      long keyHash = StableHash.hash(tenant + "/" + bucket);
      int best = -1;
      long bestScore = 0;
      for (int shard : candidates) {
        if (takenInRound(result, roundStart, bucket, shard)) {
          continue;
        }
        long score = StableHash.score(keyHash, shard);
        if (best < 0 || Long.compareUnsigned(score, bestScore) > 0) {
          best = shard;
          bestScore = score;
        }
      }
      result[bucket] = best;
    }
    return result;
  }

  private int[] candidates(String tenant) {
    List<Integer> pins = pinned.get(tenant);
    if (pins != null) {
      return pins.stream().mapToInt(Integer::intValue).distinct().sorted().toArray();
    }
    int[] all = new int[shards];
    for (int i = 0; i < shards; i++) {
      all[i] = i;
    }
    return all;
  }

  private static boolean takenInRound(int[] assigned, int from, int to, int shard) {
    for (int i = from; i < to; i++) {
      if (assigned[i] == shard) {
        return true;
      }
    }
    return false;
  }
}
