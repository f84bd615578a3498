package io.vectorshard.core.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "Z", "0", "acme", "tenant-00042", "Acme.Corp_eu-1", "a.b", "a-", "a_", "9..--__"})
  void validTenantIds(String tenant) {
    assertThat(Names.tenant(tenant)).isSameAs(tenant);
  }

  @Test
  void tenantIdOf128CharactersIsValidAnd129IsNot() {
    String max = "t" + "x".repeat(127);
    assertThat(Names.tenant(max)).isEqualTo(max);
    assertThatThrownBy(() -> Names.tenant(max + "x")).isInstanceOf(InvalidNameException.class);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {".acme", "-acme", "_acme", "ac:me", "ac{me", "ac}me", "{acme}", "ac*me", "*", "ac me",
      " acme", "acme ", "acme\n", "ac\tme", "ac/me", "ac\\me", "ac\"me", "ac'me", "caf\u00e9", "\u0430cme",
      "\uff41\uff43\uff4d\uff45", "\u6587\u66f8", "acme\u0000", "ac?me", "ac[me]", "acme\u200b"})
  void invalidTenantIds(String tenant) {
    assertThatThrownBy(() -> Names.tenant(tenant))
        .isInstanceOf(InvalidNameException.class)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tenant id must match");
  }

  @Test
  void tenantErrorQuotesTheValueButNeverEchoesLargeInput() {
    assertThatThrownBy(() -> Names.tenant("ac:me")).hasMessageContaining("\"ac:me\"");
    assertThatThrownBy(() -> Names.tenant(null)).hasMessageContaining("got nothing");
    String huge = ":" + "y".repeat(10_000);
    assertThatThrownBy(() -> Names.tenant(huge))
        .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200))
        .hasMessageContaining("...");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "doc-1", "chunk:00017", "{weird}*id with spaces", "\u6587\u66f8-7", "\ud83d\ude00",
      "caf\u00e9", "a/b\\c\"d'e"})
  void validVectorIds(String id) {
    assertThat(Names.vectorId(id)).isSameAs(id);
  }

  @Test
  void vectorIdsAreBoundedBy512BytesOfUtf8() {
    String ascii512 = "x".repeat(512);
    assertThat(Names.vectorId(ascii512)).isEqualTo(ascii512);
    assertThatThrownBy(() -> Names.vectorId(ascii512 + "x"))
        .isInstanceOf(InvalidNameException.class).hasMessageContaining("512 bytes");

    String twoByte512 = "\u00e9".repeat(256); // 256 chars, 512 bytes
    assertThat(twoByte512.getBytes(StandardCharsets.UTF_8)).hasSize(512);
    assertThat(Names.vectorId(twoByte512)).isEqualTo(twoByte512);
    String twoByte513 = twoByte512 + "a"; // 257 chars, 513 bytes: the length in chars is not the bound
    assertThat(twoByte513.getBytes(StandardCharsets.UTF_8)).hasSize(513);
    assertThatThrownBy(() -> Names.vectorId(twoByte513)).isInstanceOf(InvalidNameException.class);

    String threeByte = "\u20ac".repeat(170) + "ab"; // 510 + 2 bytes
    assertThat(Names.vectorId(threeByte)).isEqualTo(threeByte);
    assertThatThrownBy(() -> Names.vectorId("\u20ac".repeat(171))).isInstanceOf(InvalidNameException.class);

    String emoji512 = "\ud83d\ude00".repeat(128); // 4 bytes each
    assertThat(Names.vectorId(emoji512)).isEqualTo(emoji512);
    assertThatThrownBy(() -> Names.vectorId(emoji512 + "a")).isInstanceOf(InvalidNameException.class);
  }

  @ParameterizedTest
  @NullAndEmptySource
  void emptyVectorIdIsRejected(String id) {
    assertThatThrownBy(() -> Names.vectorId(id))
        .isInstanceOf(InvalidNameException.class).hasMessageContaining("must not be empty");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\u0000", "a\u0000b", "line\nbreak", "tab\there", "cr\r", "\u001b[31m", "del\u007f",
      "c1\u0085", "bell\u0007"})
  void vectorIdsWithControlCharactersAreRejected(String id) {
    assertThatThrownBy(() -> Names.vectorId(id))
        .isInstanceOf(InvalidNameException.class).hasMessageContaining("control characters");
  }

  /** Lone surrogates have no UTF-8 form: they would be stored as '?' and collide with other ids. */
  @ParameterizedTest
  @ValueSource(strings = {"\ud800", "a\ud800", "\udc00b", "a\udc00\ud800b", "\ud83d\ud83d", "x\ud83d"})
  void vectorIdsWithUnpairedSurrogatesAreRejected(String id) {
    assertThatThrownBy(() -> Names.vectorId(id))
        .isInstanceOf(InvalidNameException.class).hasMessageContaining("unpaired surrogate");
  }

  @Test
  void surrogatePairsAreOneCodePointAndValid() {
    assertThat(Names.vectorId("a\ud83d\ude00b\ud800\udc00")).isEqualTo("a\ud83d\ude00b\ud800\udc00");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "_", "price", "_private", "genre2", "Year_Of_Release"})
  void validFields(String field) {
    assertThat(Names.field(field)).isSameAs(field);
  }

  @Test
  void fieldOf64CharactersIsValidAnd65IsNot() {
    String max = "f" + "x".repeat(63);
    assertThat(Names.field(max)).isEqualTo(max);
    assertThatThrownBy(() -> Names.field(max + "x")).isInstanceOf(InvalidNameException.class);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"1year", ".price", "a.b", "a-b", "a b", "caf\u00e9", "price)", "x==1", "\"x\"", "a\nb"})
  void invalidFields(String field) {
    assertThatThrownBy(() -> Names.field(field))
        .isInstanceOf(InvalidNameException.class).hasMessageContaining("filter field must match");
  }

  @ParameterizedTest
  @ValueSource(strings = {"rag", "a", "0", "my-cluster-1", "a-b-c"})
  void validClusterNames(String name) {
    assertThat(Names.cluster(name)).isSameAs(name);
  }

  @Test
  void clusterNameIsAtMost42Characters() {
    String max = "c" + "x".repeat(41);
    assertThat(Names.cluster(max)).isEqualTo(max);
    assertThatThrownBy(() -> Names.cluster(max + "x")).isInstanceOf(InvalidNameException.class);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"Rag", "-rag", "rag-", "ra_g", "ra.g", "rag!", "r ag"})
  void invalidClusterNames(String name) {
    assertThatThrownBy(() -> Names.cluster(name))
        .isInstanceOf(InvalidNameException.class).hasMessageContaining("DNS label");
  }

  /** The hand-written tenant check accepts exactly what the published pattern matches. */
  @Test
  void tenantCheckAgreesWithThePattern() {
    Random random = new Random(7);
    List<String> samples = new ArrayList<>(List.of("", "a", "t" + "x".repeat(127),
        "t" + "x".repeat(128), "a\n", "a\u0663", "\u0663", "\uD83D\uDE00a", "a\uD83D\uDE00"));
    for (char c = 0; c < 0x250; c++) {
      samples.add(String.valueOf(c));
      samples.add("a" + c);
      samples.add(c + "a");
    }
    String alphabet = "aZ09._-:{} \u00e9\u0663";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(131);
      for (int k = 0; k < length; k++) {
        s.append(alphabet.charAt(random.nextInt(random.nextInt(10) == 0 ? alphabet.length() : 7)));
      }
      samples.add(s.toString());
    }
    for (String sample : samples) {
      assertThat(Names.isTenant(sample)).as("%s", sample).isEqualTo(Names.TENANT.matcher(sample).matches());
    }
  }
}
