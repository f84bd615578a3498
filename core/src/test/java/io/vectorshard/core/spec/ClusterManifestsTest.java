package io.vectorshard.core.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorshard.api.RebalanceSpec;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.api.VectorShardClusterSpec;
import io.vectorshard.api.VectorsSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClusterManifestsTest {
  static final String MINIMAL = """
      apiVersion: vectorshard.io/v1alpha1
      kind: VectorShardCluster
      metadata:
        name: rag
      spec:
        shards: 3
        vectors:
          dimensions: 384
      """;

  /** The minimal manifest with {@code from} replaced by {@code to} (which must occur). */
  static String minimalWith(String from, String to) {
    assertThat(MINIMAL).contains(from);
    return MINIMAL.replace(from, to);
  }

  static String withPlacement(String placementYaml) {
    return MINIMAL + "  placement:\n" + placementYaml.indent(4);
  }

  @Test
  void minimalManifestGetsDefaults() {
    VectorShardCluster manifest = ClusterManifests.parse(MINIMAL, "rag.yaml");
    assertThat(manifest.getApiVersion()).isEqualTo("vectorshard.io/v1alpha1");
    assertThat(manifest.getKind()).isEqualTo("VectorShardCluster");
    assertThat(manifest.getMetadata().getName()).isEqualTo("rag");
    VectorShardClusterSpec spec = manifest.getSpec();
    assertThat(spec.getShards()).isEqualTo(3);
    assertThat(spec.getVectors().getDimensions()).isEqualTo(384);
    assertThat(spec.getVectors().getQuantization()).isEqualTo(VectorsSpec.Quantization.Q8);
    assertThat(spec.getVectors().getM()).isEqualTo(16);
    assertThat(spec.getVectors().getEfConstruction()).isEqualTo(200);
    assertThat(spec.getPlacement().getDefaultBuckets()).isEqualTo(1);
    assertThat(spec.getPlacement().getPinned()).isEmpty();
    assertThat(spec.getPlacement().getSpread()).isEmpty();
    assertThat(spec.getRebalance().getApproval()).isEqualTo(RebalanceSpec.Approval.AUTO);
    assertThat(spec.getRebalance().getStallBudgetMs()).isEqualTo(250);
    assertThat(spec.getRouter().getPort()).isEqualTo(8080);
    assertThat(spec.getRouter().getShardTimeoutMs()).isEqualTo(1000);
    assertThat(spec.getRouter().getMaxTopK()).isEqualTo(1000);
    assertThat(spec.getRouter().getMaxBatch()).isEqualTo(1000);
    assertThat(spec.getRedis().getImage()).isEqualTo("redis:8.0.2");
    assertThat(spec.getRedis().getConfig()).isEmpty();
    assertThat(spec.getRedis().getPasswordSecret()).isNull();
  }

  @Test
  void fullerManifestParses(@TempDir Path dir) throws Exception {
    String yaml = withPlacement("""
        defaultBuckets: 2
        pinned:
          - tenant: acme
            shards: [0, 2]
        spread:
          - tenant: hot
            buckets: 4
          - tenant: acme
            buckets: 3
        """).replace("dimensions: 384", "dimensions: 384\n    quantization: noquant\n    m: 32");
    Path file = dir.resolve("rag.yaml");
    Files.writeString(file, yaml);
    VectorShardClusterSpec spec = ClusterManifests.read(file).getSpec();
    assertThat(spec.getVectors().getQuantization()).isEqualTo(VectorsSpec.Quantization.NOQUANT);
    assertThat(spec.getVectors().getM()).isEqualTo(32);
    assertThat(spec.getPlacement().getDefaultBuckets()).isEqualTo(2);
    assertThat(spec.getPlacement().getPinned()).singleElement()
        .satisfies(p -> assertThat(p.getTenant()).isEqualTo("acme"))
        .satisfies(p -> assertThat(p.getShards()).containsExactly(0, 2));
    assertThat(spec.getPlacement().getSpread()).extracting(s -> s.getTenant() + "=" + s.getBuckets())
        .containsExactly("hot=4", "acme=3");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      shards 0            | shards: 3         | shards: 0              | spec.shards must be 1..1024, got 0
      shards 5000         | shards: 3         | shards: 5000           | spec.shards must be 1..1024, got 5000
      dimensions 0        | dimensions: 384   | dimensions: 0          | spec.vectors.dimensions must be 1..32768
      dimensions 40000    | dimensions: 384   | dimensions: 40000      | spec.vectors.dimensions must be 1..32768
      no dimensions       | dimensions: 384   | m: 16                  | spec.vectors.dimensions must be 1..32768
      m 1                 | dimensions: 384   | dimensions: 384\\n    m: 1 | spec.vectors.m must be 2..512, got 1
      wrong kind          | kind: VectorShardCluster | kind: Deployment | kind must be VectorShardCluster
      wrong apiVersion    | vectorshard.io/v1alpha1 | vectorshard.io/v2 | apiVersion must be vectorshard.io/v1alpha1
      uppercase name      | name: rag         | name: RAG              | metadata.name must be a DNS label
      name with dot       | name: rag         | name: rag.prod         | metadata.name must be a DNS label
      name too long       | name: rag         | name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | metadata.name must be a DNS label
      no name             | name: rag         | labels: {}             | metadata.name must be a DNS label
      unknown spec field  | shards: 3         | shards: 3\\n  replicas: 2 | bad.yaml: unknown field "replicas"
      unknown nested field| dimensions: 384   | dimensions: 384\\n    dimension: 384 | unknown field "dimension"
      bad quantization    | dimensions: 384   | dimensions: 384\\n    quantization: Q4 | bad.yaml: not a VectorShardCluster document
      managed directive   | shards: 3         | shards: 3\\n  redis:\\n    config:\\n      requirepass: x | requirepass is set by vectorshard and cannot be overridden
      directive injection | shards: 3         | shards: 3\\n  redis:\\n    config:\\n      maxmemory: "1gb\\trequirepass x" | the value of maxmemory must be one non-empty line
      bad directive name  | shards: 3         | shards: 3\\n  redis:\\n    config:\\n      MaxMemory: 1gb | is not a redis.conf directive name
      """)
  void badSpecIsRejectedNamingTheProblem(String name, String from, String to, String problem) {
    String yaml = minimalWith(from, to.replace("\\n", "\n"));
    assertThatThrownBy(() -> ClusterManifests.parse(yaml, "bad.yaml"))
        .as(name)
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining(problem);
  }

  @Test
  void invalidTenantInPinnedIsRejected() {
    String yaml = withPlacement("""
        pinned:
          - tenant: "ac:me"
            shards: [0]
        """);
    assertThatThrownBy(() -> ClusterManifests.parse(yaml, "x"))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("spec.placement.pinned: tenant \"ac:me\" must match");
  }

  @Test
  void pinToANonExistentShardIsRejected() {
    String yaml = withPlacement("""
        pinned:
          - tenant: acme
            shards: [1, 5]
        """);
    assertThatThrownBy(() -> ClusterManifests.parse(yaml, "x"))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("tenant acme is pinned to shard 5, which does not exist (shards are 0..2)")
        .message().doesNotContain("shard 1,");
  }

  @Test
  void pinWithoutShardsIsRejected() {
    String yaml = withPlacement("""
        pinned:
          - tenant: acme
            shards: []
        """);
    assertThatThrownBy(() -> ClusterManifests.parse(yaml, "x"))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("tenant acme lists no shards");
  }

  @Test
  void duplicateTenantIsRejected() {
    String pinnedTwice = withPlacement("""
        pinned:
          - tenant: acme
            shards: [0]
          - tenant: acme
            shards: [1]
        """);
    assertThatThrownBy(() -> ClusterManifests.parse(pinnedTwice, "x"))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("spec.placement.pinned: tenant acme is listed twice");
    String spreadTwice = withPlacement("""
        spread:
          - tenant: hot
            buckets: 2
          - tenant: hot
            buckets: 3
        """);
    assertThatThrownBy(() -> ClusterManifests.parse(spreadTwice, "x"))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("spec.placement.spread: tenant hot is listed twice");
  }

  @Test
  void badSpreadIsRejected() {
    String yaml = withPlacement("""
        spread:
          - tenant: hot
            buckets: 0
          - tenant: "-bad"
            buckets: 2
        """);
    assertThatThrownBy(() -> ClusterManifests.parse(yaml, "x"))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("tenant hot buckets must be 1..1024")
        .hasMessageContaining("tenant \"-bad\" must match");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    String yaml = minimalWith("shards: 3", "shards: 0").replace("dimensions: 384", "dimensions: 0")
        .replace("name: rag", "name: Rag");
    assertThatThrownBy(() -> ClusterManifests.parse(yaml, "x"))
        .isInstanceOf(InvalidSpecException.class)
        .hasMessageContaining("spec.shards must be")
        .hasMessageContaining("spec.vectors.dimensions must be")
        .hasMessageContaining("metadata.name must be");
  }

  @Test
  void unreadableInputIsRejected(@TempDir Path dir) {
    assertThatThrownBy(() -> ClusterManifests.read(dir.resolve("missing.yaml")))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("missing.yaml: no such file");
    assertThatThrownBy(() -> ClusterManifests.parse("", "empty.yaml"))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("empty.yaml");
    assertThatThrownBy(() -> ClusterManifests.parse("spec: [1, 2", "broken.yaml"))
        .isInstanceOf(InvalidSpecException.class).hasMessageContaining("not a VectorShardCluster document");
  }
}
