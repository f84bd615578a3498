package io.vectorshard.router;

import io.vectorshard.core.redis.ShardCredentials;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vectorshard.api.RouterSpec;
import io.vectorshard.core.routing.RouterEnvironment;
import io.vectorshard.core.routing.ShardEndpoint;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

/** The router reads exactly what its launchers write (RouterEnvironment), and refuses what it cannot use. */
class RouterConfigTest {
  @Test
  void aRouterStartedForAClusterGetsTheClustersRouterSettings() {
    RouterSpec spec = new RouterSpec();
    spec.setPort(9123);
    spec.setShardTimeoutMs(750);
    spec.setMaxTopK(50);
    spec.setMaxBatch(20);
    Map<String, String> env = new HashMap<>(RouterEnvironment.forCluster(spec,
        List.of(ShardEndpoint.of(0, "127.0.0.1", 7400), ShardEndpoint.of(1, "127.0.0.1", 7401)), "127.0.0.2"));
    env.put(RouterEnvironment.REDIS_PASSWORD.variable(), "s3cret");

    RouterConfig config = RouterConfig.fromEnvironment(env);
    assertThat(config.seeds()).containsExactly(new HostAndPort("127.0.0.1", 7400), new HostAndPort("127.0.0.1", 7401));
    assertThat(config.host()).isEqualTo("127.0.0.2");
    assertThat(config.port()).isEqualTo(9123);
    assertThat(config.shardTimeout()).isEqualTo(Duration.ofMillis(750));
    assertThat(config.limits().maxTopK()).isEqualTo(50);
    assertThat(config.maxBatch()).isEqualTo(20);
    // The launcher names the router's ACL user; the password comes its own way.
    assertThat(config.credentials()).isEqualTo(ShardCredentials.router("s3cret"));
    assertThat(config.credentials().toString()).doesNotContain("s3cret");
    // What the launcher left out keeps the router's safe defaults.
    RouterConfig defaults = RouterConfig.defaults(config.seeds());
    assertThat(config.maxConnectionsPerShard()).isEqualTo(defaults.maxConnectionsPerShard());
    assertThat(config.http()).isEqualTo(defaults.http());
  }

  @Test
  void missingSeedsAndMalformedNumbersAreErrorsNamingTheVariable() {
    assertThatThrownBy(() -> RouterConfig.fromEnvironment(Map.of(RouterEnvironment.SEEDS.variable(), "  ")))
        .hasMessageContaining("VSC_ROUTER_SEEDS is required");
    for (String bad : List.of("-1", "ten", "99999999999")) {
      assertThatThrownBy(() -> RouterConfig.fromEnvironment(Map.of(RouterEnvironment.SEEDS.variable(), "127.0.0.1:7400",
          RouterEnvironment.MAX_TOP_K.variable(), bad)))
          .hasMessageStartingWith("VSC_ROUTER_MAX_TOP_K must be").hasMessageContaining(bad);
    }
    assertThatThrownBy(() -> RouterConfig.fromEnvironment(Map.of(RouterEnvironment.SEEDS.variable(), "127.0.0.1")))
        .hasMessageContaining("is not host:port");
  }
}
