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
    assertThat(Keys.bucket("acme", 0)).isEqualTo("vsc:t:{acme}:0");
    assertThat(Keys.bucket("acme", 7)).isEqualTo("vsc:t:{acme}:7");
    assertThat(Keys.bucket("tenant-00042", 12)).isEqualTo("vsc:t:{tenant-00042}:12");
    assertThat(Keys.bucket("A.b_c-d", 1)).isEqualTo("vsc:t:{A.b_c-d}:1");
  }

  @Test
  void sharedKeysAndChannel() {
    assertThat(Keys.EPOCH).isEqualTo("vsc:epoch");
    assertThat(Keys.ROUTING).isEqualTo("vsc:routing");
    assertThat(Keys.ROUTING_CHANNEL).isEqualTo("vsc:routing");
    assertThat(Keys.TENANTS).isEqualTo("vsc:tenants");
    // No tenant key can collide with a shared key.
    assertThat(Keys.bucket("epoch", 0)).doesNotStartWith(Keys.EPOCH).startsWith("vsc:t:{");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"ac}me", "acme}:0:{other", "ac{me", "a:b", "*", "acme*", "ac me", ".acme", "caf\u00e9"})
  void invalidTenantIsRejected(String tenant) {
    assertThatThrownBy(() -> Keys.bucket(tenant, 0)).isInstanceOf(InvalidNameException.class);
  }

  @Test
  void tenantOf129CharactersIsRejected() {
    assertThatThrownBy(() -> Keys.bucket("x".repeat(129), 0)).isInstanceOf(InvalidNameException.class);
  }

  @Test
  void negativeBucketIsRejected() {
    assertThatThrownBy(() -> Keys.bucket("acme", -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bucket");
  }
}
