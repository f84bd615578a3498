package io.vectorshard.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Golden vectors of the placement function, read from {@code placement-golden.csv} (test
 * resources) so that the documentation and ports to other languages can use the same file.
 *
 * <p>Columns: {@code shards} (shard count), {@code tenant}, {@code buckets} (the tenant's bucket
 * count), {@code pinned} (the shard ordinals the tenant is pinned to, ';'-separated, empty when not
 * pinned), {@code expected} (the shard ordinal of each bucket 0..buckets-1, ';'-separated). The
 * values were computed once from {@link Placement} and frozen: a failure here means the function
 * changed and every deployed cluster would move data.
 */
class PlacementGoldenTest {
  static final String RESOURCE = "/placement-golden.csv";
  static final String HEADER = "shards,tenant,buckets,pinned,expected";

  record Row(int shards, String tenant, int buckets, List<Integer> pinned, int[] expected) {
    Placement placement() {
      return new Placement(shards, 1, pinned.isEmpty() ? Map.of() : Map.of(tenant, pinned), Map.of(tenant, buckets));
    }

    @Override
    public String toString() {
      return shards + "," + tenant + "," + buckets + "," + pinned + " -> " + Arrays.toString(expected);
    }
  }

  static List<Row> rows() throws IOException {
    try (InputStream in = PlacementGoldenTest.class.getResourceAsStream(RESOURCE)) {
      assertThat(in).as(RESOURCE + " on the test classpath").isNotNull();
      List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
      assertThat(lines.get(0)).isEqualTo(HEADER);
      return lines.stream().skip(1).filter(l -> !l.isBlank()).map(PlacementGoldenTest::parse).toList();
    }
  }

  private static Row parse(String line) {
    String[] f = line.split(",", -1);
    assertThat(f).as("columns of %s", line).hasSize(5);
    return new Row(Integer.parseInt(f[0]), f[1], Integer.parseInt(f[2]), ints(f[3]),
        ints(f[4]).stream().mapToInt(Integer::intValue).toArray());
  }

  private static List<Integer> ints(String field) {
    return field.isEmpty() ? List.of() : Arrays.stream(field.split(";")).map(Integer::valueOf).toList();
  }

  @Test
  void tableCoversTheCasesItClaims() throws IOException {
    List<Row> rows = rows();
    assertThat(rows).hasSizeGreaterThanOrEqualTo(20);
    assertThat(rows).extracting(Row::tenant).contains("acme", "tenant-00042");
    assertThat(rows).anyMatch(r -> r.shards() == 5 && r.buckets() == 3 && r.pinned().isEmpty());
    assertThat(rows).anyMatch(r -> r.shards() == 5 && r.buckets() == 4 && r.pinned().isEmpty());
    assertThat(rows).anyMatch(r -> r.buckets() > r.shards());
    assertThat(rows).anyMatch(r -> !r.pinned().isEmpty());
    for (Row r : rows) {
      assertThat(r.expected()).as("%s", r).hasSize(r.buckets());
    }
  }

  @Test
  void placementMatchesGoldenVectors() throws IOException {
    for (Row r : rows()) {
      assertThat(r.placement().shardsOf(r.tenant())).as("%s", r).containsExactly(r.expected());
      for (int b = 0; b < r.buckets(); b++) {
        assertThat(r.placement().shardOf(r.tenant(), b)).as("%s bucket %d", r, b).isEqualTo(r.expected()[b]);
      }
    }
  }

  @Test
  void aFewRowsSpelledOut() {
    // Also here in code, so a broken or emptied CSV cannot make the golden test pass vacuously.
    assertThat(Placement.uniform(5).shardOf("acme", 0)).isEqualTo(0);
    assertThat(Placement.uniform(16).shardOf("tenant-00042", 0)).isEqualTo(13);
    assertThat(new Placement(5, 1, Map.of(), Map.of("acme", 4)).shardsOf("acme")).containsExactly(4, 1, 2, 0);
    assertThat(new Placement(5, 1, Map.of(), Map.of("tenant-00042", 3)).shardsOf("tenant-00042"))
        .containsExactly(3, 4, 2);
    assertThat(new Placement(3, 1, Map.of(), Map.of("hooli", 7)).shardsOf("hooli")).containsExactly(1, 2, 2, 0, 1, 0, 1);
    assertThat(new Placement(5, 1, Map.of("pinned-co", List.of(0, 2, 4)), Map.of("pinned-co", 3)).shardsOf("pinned-co"))
        .containsExactly(2, 4, 0);
  }

  @Test
  void pinOrderAndDuplicatesDoNotMatter() {
    Placement sorted = new Placement(5, 1, Map.of("pinned-co", List.of(0, 2, 4)), Map.of("pinned-co", 3));
    Placement shuffled = new Placement(5, 1, Map.of("pinned-co", List.of(4, 0, 2, 0)), Map.of("pinned-co", 3));
    assertThat(shuffled.shardsOf("pinned-co")).containsExactly(sorted.shardsOf("pinned-co"));
  }

  @Test
  void bucketOfGoldenValues() {
    // bucket = unsigned(hash(vector id)) mod buckets; ids are hashed as UTF-8.
    Placement p = new Placement(1, 1, Map.of(), Map.of("acme", 4, "big", 7));
    Map<String, int[]> golden = Map.of(
        "doc-1", new int[] {0, 5},
        "doc-2", new int[] {2, 2},
        "chunk:00017", new int[] {2, 2},
        "dokument-\u00fc", new int[] {1, 1},
        "\u6587\u66f8-7", new int[] {2, 0});
    golden.forEach((id, buckets) -> {
      assertThat(p.bucketOf("acme", id)).as("acme %s", id).isEqualTo(buckets[0]);
      assertThat(p.bucketOf("big", id)).as("big %s", id).isEqualTo(buckets[1]);
      assertThat(p.bucketOf("one-bucket-tenant", id)).isZero();
    });
    // doc-1 hashes to 0xf01348682ab28e14: negative as a signed long, so the unsigned remainder matters.
    assertThat(Long.remainderUnsigned(0xf01348682ab28e14L, 7)).isEqualTo(5);
    assertThat(Math.floorMod(0xf01348682ab28e14L, 7)).isNotEqualTo(5);
  }

  @Test
  void csvIsWhatTheDocsDescribe() throws IOException {
    // One line per row, no quoting, no spaces: trivially parsed by any language.
    try (InputStream in = PlacementGoldenTest.class.getResourceAsStream(RESOURCE)) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(text).doesNotContain("\"").doesNotContain(" ").doesNotContain("\r");
      assertThat(text.lines().skip(1).map(l -> l.split(",", -1).length).collect(Collectors.toSet())).containsOnly(5);
    }
  }
}
