package io.vectorshard.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.core.spec.ClusterManifests;
import io.vectorshard.local.LocalCluster;
import io.vectorshard.local.LocalState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vsc demo}: a local 3-shard cluster holding a real corpus (Europarl passages embedded by
 * all-MiniLM-L6-v2, in process) for tenants of skewed sizes, then tenant queries, the RAG
 * article's query, and a cross-tenant scatter-gather, each with its latency.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start a local 3-shard cluster, ingest an embedded corpus for several tenants, and query it.")
public final class DemoCommand implements Callable<Integer> {
  static final List<String> TENANTS = List.of("acme", "globex", "initech", "umbrella", "hooli", "stark");
  static final String CLUSTER = "demo";

  @Option(names = "--docs", defaultValue = "1200", description = "Passages to ingest (default: ${DEFAULT-VALUE}).")
  int docs;

  @Option(names = "--port", defaultValue = "8080", description = "Router port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--base-port", defaultValue = "7400", description = "Port of shard 0 (default: ${DEFAULT-VALUE}).")
  int basePort;

  @Option(names = "--state-dir", defaultValue = ".vsc", description = "Where the cluster keeps data (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Override
  public Integer call() throws Exception {
    if (docs < TENANTS.size() * Corpus.MIN_TENANT_DOCS || docs > 3_000) {
      throw new IllegalArgumentException("--docs must be " + TENANTS.size() * Corpus.MIN_TENANT_DOCS + "..3000");
    }
    step("1/5 Starting a local cluster: 3 Redis 8 shards and a router");
    Path manifestFile = writeManifest();
    VectorShardCluster manifest = ClusterManifests.read(manifestFile);
    LocalState state = new LocalCluster(stateDir, System.out).up(manifest, new LocalCluster.UpOptions(basePort, "127.0.0.1"));
    System.out.printf("  manifest: %s (acme spread over 3 buckets, umbrella pinned to shard 2)%n", manifestFile);

    step("2/5 Loading the corpus: Europarl passages, split over " + TENANTS.size() + " tenants of skewed sizes");
    Map<String, List<Corpus.Document>> byTenant = Corpus.europarl().atLeast(docs).assign(TENANTS, docs);
    byTenant.forEach((t, list) -> System.out.printf("  %-9s %5d passages%n", t, list.size()));

    step("3/5 Embedding with " + Embedder.MODEL_NAME + " (in process, offline; cached for the next run)");
    List<Corpus.Document> all = byTenant.values().stream().flatMap(List::stream).toList();
    List<float[]> vectors;
    try (Embedder embedder = new Embedder()) {
      long start = System.nanoTime();
      EmbeddingCache.Result result = new EmbeddingCache(stateDir.resolve("embeddings"))
          .getOrCompute(embedder, all.stream().map(Corpus.Document::text).toList(), new Progress("  embedded"));
      vectors = result.vectors();
      System.out.printf("%n  %d vectors of %d dimensions (%s) in %.1f s%n", vectors.size(), embedder.dimensions(),
          result.status().name().toLowerCase(), seconds(start));

      try (RouterClient router = new RouterClient(state.router().url())) {
        step("4/5 Ingesting through the router (batches of 200, routed per tenant to its shards)");
        ingest(router, byTenant, all, vectors);
        step("5/5 Querying");
        query(router, embedder);
        writeCurlExample(embedder, state);
      }
    }
    return 0;
  }

  private void ingest(RouterClient router, Map<String, List<Corpus.Document>> byTenant, List<Corpus.Document> all,
      List<float[]> vectors) {
    long start = System.nanoTime();
    int offset = 0;
    int done = 0;
    Progress progress = new Progress("  upserted");
    for (Map.Entry<String, List<Corpus.Document>> tenant : byTenant.entrySet()) {
      List<Corpus.Document> docsOfTenant = tenant.getValue();
      for (int from = 0; from < docsOfTenant.size(); from += 200) {
        int to = Math.min(docsOfTenant.size(), from + 200);
        router.upsertBatch(tenant.getKey(), docsOfTenant.subList(from, to), vectors.subList(offset + from, offset + to));
        done += to - from;
        progress.progress(done, all.size());
      }
      offset += docsOfTenant.size();
    }
    System.out.printf("%n  %d vectors in %.1f s (%.0f/s)%n", all.size(), seconds(start), all.size() / seconds(start));
    JsonNode table = router.routing();
    System.out.printf("  routing epoch %d; where tenants live:%n", table.path("epoch").asLong());
    // Which shards hold each tenant, as the router computes it (the placement function).
    for (String t : byTenant.keySet()) {
      System.out.printf("    %-9s -> %s%n", t, shardsOf(table, t));
    }
  }

  private static String shardsOf(JsonNode table, String tenant) {
    io.vectorshard.core.routing.RoutingTable routing =
        io.vectorshard.core.routing.RoutingTableCodec.fromJson(table.toString());
    return routing.bucketsOf(tenant).stream().map(b -> b.shard().id()).distinct().toList().toString();
  }

  private void query(RouterClient router, Embedder embedder) {
    ask("Tenant query, acme (spread over 3 shards): \"fishing quotas and the fisheries policy\"",
        () -> router.tenantQuery("acme", embedder.embed("fishing quotas and the fisheries policy"), 3).path("results"));
    ask("Tenant query, umbrella (pinned to shard-2): \"human rights violations abroad\"",
        () -> router.tenantQuery("umbrella", embedder.embed("human rights violations abroad"), 3).path("results"));
    ask("RAG article route POST /v1/query, filters {tenant_id: globex, lang: en}: \"nuclear safety\"",
        () -> router.articleQuery(embedder.embed("nuclear safety"), 3, Map.of("tenant_id", "globex", "lang", "en")));
    ask("Cross-tenant scatter-gather POST /v1/search over all shards (merge by score): \"budget of the European Union\"",
        () -> router.search(embedder.embed("budget of the European Union"), 5, "score").path("results"));
  }

  private static void ask(String title, Supplier<JsonNode> call) {
    System.out.printf("%n  %s%n", title);
    call.get(); // the first call of a kind warms up connections; time the second
    long start = System.nanoTime();
    JsonNode results = call.get();
    double ms = (System.nanoTime() - start) / 1e6;
    for (JsonNode r : results) {
      String tenant = r.has("tenant") ? r.get("tenant").asText() + "/" : "";
      System.out.printf("    %.4f  %-22s %s%n", r.path("score").asDouble(), tenant + r.path("id").asText(),
          cut(r.path("metadata").path("title").asText(""), 70));
    }
    System.out.printf("    (%d results in %.2f ms round trip, embedding excluded)%n", results.size(), ms);
  }

  private void writeCurlExample(Embedder embedder, LocalState state) throws IOException {
    Path query = stateDir.resolve(CLUSTER).resolve("query.json");
    Files.writeString(query, RouterClient.JSON.writeValueAsString(
        RouterClient.articleBody(embedder.embed("fishing quotas and the fisheries policy"), 3)
            .set("filters", RouterClient.JSON.createObjectNode().put("tenant_id", "acme"))));
    String url = state.router().url();
    System.out.printf("%nThe cluster keeps running. Query it yourself:%n");
    System.out.printf("  curl -s %s/v1/routing%n", url);
    System.out.printf("  curl -s -X POST %s/v1/query -H 'Content-Type: application/json' -d @%s%n", url, query);
    System.out.printf("  curl -s %s/metrics | grep vsc_router_shard_request_seconds_count%n", url);
    System.out.printf("Stop it:   ./vsc local down %s          (data kept in %s)%n", CLUSTER, stateDir.resolve(CLUSTER));
    System.out.printf("Remove it: ./vsc local down %s --purge%n", CLUSTER);
  }

  private Path writeManifest() {
    String yaml = """
        apiVersion: vectorshard.io/v1alpha1
        kind: VectorShardCluster
        metadata:
          name: %s
        spec:
          shards: 3
          vectors:
            dimensions: %d
            quantization: Q8
          placement:
            spread:
              - tenant: acme
                buckets: 3
            pinned:
              - tenant: umbrella
                shards: [2]
          router:
            port: %d
        """.formatted(CLUSTER, Embedder.DIMENSIONS, port);
    try {
      Files.createDirectories(stateDir);
      Path file = stateDir.resolve(CLUSTER + ".yaml");
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void step(String text) {
    System.out.printf("%n== %s%n", text);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 3) + "...";
  }

  /** A progress line redrawn in place. */
  private record Progress(String label) implements Embedder.ProgressListener {
    @Override
    public void progress(int done, int total) {
      System.out.printf("\r%s %d/%d (%d%%)", label, done, total, total == 0 ? 100 : done * 100 / total);
      System.out.flush();
    }
  }
}
