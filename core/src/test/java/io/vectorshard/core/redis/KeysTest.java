package io.vectorshard.core.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorshard.core.tenant.InvalidNameException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class KeysTest {

  @Test
  void bucketKeyLayout() {
    assertThat(Keys.bucket("acme", 0, 1)).isEqualTo("vsc:t:{acme}:0");
    assertThat(Keys.bucket("acme", 7, 8)).isEqualTo("vsc:t:{acme}:7of8");
    assertThat(Keys.bucket("tenant-00042", 12, 1024)).isEqualTo("vsc:t:{tenant-00042}:12of1024");
    assertThat(Keys.bucket("A.b_c-d", 0, 2)).isEqualTo("vsc:t:{A.b_c-d}:0of2");
  }

  @Test
  void theSameBucketUnderAnotherCountIsAnotherKey() {
    // While a tenant is re-bucketed its old and new keys live side by side.
    assertThat(Keys.bucket("acme", 0, 1)).isNotEqualTo(Keys.bucket("acme", 0, 2));
    assertThat(Keys.bucket("acme", 1, 2)).isNotEqualTo(Keys.bucket("acme", 1, 3));
  }

  @Test
  void bucketKeysParseBackAndNothingElseDoes() {
    for (Keys.BucketKey key : java.util.List.of(new Keys.BucketKey("acme", 0, 1), new Keys.BucketKey("acme", 0, 2),
        new Keys.BucketKey("t-1", 9, 10), new Keys.BucketKey("x", 1023, 1024))) {
      assertThat(Keys.parseBucket(Keys.bucket(key))).contains(key);
    }
    for (String other : java.util.List.of("vsc:t:{acme}:1", "vsc:t:{acme}:2of2", "vsc:t:{acme}:0of1", "vsc:t:{acme}:01of2",
        "vsc:t:{acme}:0of02", "vsc:dirty:{acme}:0", "vsc:t:{acme}:0of", "vsc:t:{acme}")) {
      assertThat(Keys.parseBucket(other)).as(other).isEmpty();
    }
  }

  @Test
  void streamStateKeysSitBesideTheirBucketKey() {
    assertThat(Keys.dirty(Keys.bucket("acme", 0, 1))).isEqualTo("vsc:dirty:{acme}:0");
    assertThat(Keys.tombstones(Keys.bucket("acme", 3, 4))).isEqualTo("vsc:tomb:{acme}:3of4");
  }

  @Test
  void sharedKeysAndChannel() {
    assertThat(Keys.EPOCH).isEqualTo("vsc:epoch");
    assertThat(Keys.ROUTING).isEqualTo("vsc:routing");
    assertThat(Keys.ROUTING_CHANNEL).isEqualTo("vsc:routing");
    assertThat(Keys.TENANTS).isEqualTo("vsc:tenants");
    // No tenant key can collide with a shared key.
    assertThat(Keys.bucket("epoch", 0, 1)).doesNotStartWith(Keys.EPOCH).startsWith("vsc:t:{");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"ac}me", "acme}:0:{other", "ac{me", "a:b", "*", "acme*", "ac me", ".acme", "caf\u00e9"})
  void invalidTenantIsRejected(String tenant) {
    assertThatThrownBy(() -> Keys.bucket(tenant, 0, 1)).isInstanceOf(InvalidNameException.class);
  }

  @Test
  void tenantOf129CharactersIsRejected() {
    assertThatThrownBy(() -> Keys.bucket("x".repeat(129), 0, 1)).isInstanceOf(InvalidNameException.class);
  }

  @Test
  void aBucketOutsideItsCountIsRejected() {
    assertThatThrownBy(() -> Keys.bucket("acme", -1, 2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bucket");
    assertThatThrownBy(() -> Keys.bucket("acme", 2, 2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bucket");
  }
}
