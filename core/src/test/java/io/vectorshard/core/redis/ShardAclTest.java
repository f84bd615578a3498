package io.vectorshard.core.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorshard.api.VectorsSpec;
import io.vectorshard.core.redis.ShardClient.Applied;
import io.vectorshard.core.redis.ShardClient.Write;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.ShardEndpoint;
import io.vectorshard.core.routing.VectorSettings;
import io.vectorshard.core.testing.RedisShards;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The shards' ACL users ({@link ShardAcl}) on a real Redis 8 server: the router's user runs the
 * whole data path but cannot change where data lives, and nobody gets in without a password.
 */
class ShardAclTest {
  static final VectorSettings SETTINGS = new VectorSettings(3, VectorsSpec.Quantization.NOQUANT, 16, 200);
  static final String KEY = Keys.bucket("acme", 0, 1);

  static RedisShards shards;
  static ShardEndpoint endpoint;
  static RoutingTable published;

  @BeforeAll
  static void start() {
    shards = RedisShards.start(1);
    endpoint = shards.endpoints().get(0);
    published = shards.publish("acl", 3, shards.spec(3));
  }

  @AfterAll
  static void stop() {
    shards.close();
  }

  private static Jedis as(ShardCredentials credentials) {
    return new Jedis(new HostAndPort(endpoint.host(), endpoint.port()),
        ShardConnections.clientConfig(credentials, 2000, 2000, "acl-test"));
  }

  @Test
  void theRoutersUserRunsTheDataPath() {
    try (ShardClient router = new ShardClient(endpoint, RedisShards.ROUTER, Duration.ofSeconds(2), 1)) {
      assertThat(router.ping()).isTrue();
      assertThat(router.epoch()).isEqualTo(3);
      assertThat(router.routingJson()).isNotBlank();
      assertThat(router.upsert(3, "acme", SETTINGS, List.of(
          new Write(KEY, WriteMode.STREAM_TARGET, "doc-1", new float[] {1, 0, 0}, "{\"k\":1}"),
          new Write(KEY, WriteMode.HOME, "doc-2", new float[] {0, 1, 0}, null))))
          .containsExactly(Applied.CREATED, Applied.CREATED);
      assertThat(router.query(List.of(KEY), Set.of(KEY), new float[] {1, 0, 0}, 2, 50, ".k == 1", 200).hitsByKey().get(KEY))
          .extracting(ShardClient.Hit::id).containsExactly("doc-1");
      assertThat(router.read(KEY, "doc-1").vector().attributes()).isEqualTo("{\"k\":1}");
      assertThat(router.tenants()).contains("acme");
      assertThat(router.remove(3, KEY, WriteMode.STREAM_TARGET, List.of("doc-2")).removed()).isEqualTo(1);
      assertThat(router.dropTenant(3, "acme", Map.of(KEY, WriteMode.HOME))).isEqualTo(1);
    }
  }

  @Test
  void aRouterCredentialCannotPublishATableOrMoveTheEpoch() {
    String forged = "{\"epoch\":99,\"cluster\":\"rogue\"}";
    try (Jedis router = as(RedisShards.ROUTER)) {
      assertThatThrownBy(() -> router.fcall(FunctionLibrary.PUBLISH, List.of(Keys.EPOCH, Keys.ROUTING),
          List.of("99", forged, Keys.ROUTING_CHANNEL))).isInstanceOf(JedisDataException.class).hasMessageContaining("NOPERM");
      assertThatThrownBy(() -> router.set(Keys.EPOCH, "99")).hasMessageContaining("NOPERM");
      assertThatThrownBy(() -> router.set(Keys.ROUTING, forged)).hasMessageContaining("NOPERM");
      assertThatThrownBy(() -> router.del(Keys.EPOCH)).hasMessageContaining("NOPERM");
      assertThatThrownBy(() -> router.publish(Keys.ROUTING_CHANNEL, "99")).hasMessageContaining("NOPERM");
      // Nor replace the functions that fence every write, or reach past the data path.
      assertThatThrownBy(() -> router.functionFlush()).hasMessageContaining("NOPERM");
      assertThatThrownBy(() -> router.functionLoadReplace(FunctionLibrary.source())).hasMessageContaining("NOPERM");
      assertThatThrownBy(router::flushAll).hasMessageContaining("NOPERM");
      assertThatThrownBy(() -> router.configSet("appendonly", "no")).hasMessageContaining("NOPERM");
      assertThatThrownBy(() -> router.keys("*")).hasMessageContaining("NOPERM");
      assertThatThrownBy(() -> router.eval("return 1")).hasMessageContaining("NOPERM");
      assertThatThrownBy(() -> router.set("vsc:elsewhere", "x")).hasMessageContaining("NOPERM");
    }
    try (ShardClient admin = new ShardClient(endpoint, RedisShards.ADMIN, Duration.ofSeconds(2), 1)) {
      assertThat(admin.epoch()).isEqualTo(3);
      assertThat(admin.routingJson()).doesNotContain("rogue");
    }
  }

  @Test
  void nobodyGetsInWithoutAPassword() {
    try (Jedis anonymous = new Jedis(endpoint.host(), endpoint.port())) {
      assertThatThrownBy(() -> anonymous.get(Keys.EPOCH)).hasMessageContaining("NOAUTH");
      assertThatThrownBy(() -> anonymous.fcall(FunctionLibrary.PUBLISH, List.of(Keys.EPOCH, Keys.ROUTING),
          List.of("99", "{}", Keys.ROUTING_CHANNEL))).hasMessageContaining("NOAUTH");
    }
    assertThatThrownBy(() -> as(ShardCredentials.router("wrong")).ping()).hasMessageContaining("WRONGPASS");
  }

  @Test
  void theUsersFileHoldsHashesOnlyAndOnlyItsOwnerReadsIt() throws Exception {
    Path users = shards.server(0).dir().resolve(RedisProcess.USERS_FILE);
    String text = Files.readString(users);
    assertThat(text).contains("user " + ShardAcl.ROUTER_USER).contains("#" + ShardAcl.sha256(RedisShards.ROUTER.password()))
        .doesNotContain(RedisShards.ROUTER.password()).doesNotContain(RedisShards.ADMIN.password());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(users))).isEqualTo("rw-------");
    assertThat(RedisShards.onAnyCommandLine(RedisShards.ADMIN.password(), RedisShards.ROUTER.password())).isFalse();
  }
}
