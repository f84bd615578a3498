package io.vectorshard.operator.kubernetes.model;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.core.routing.RoutingTable;
import io.vectorshard.core.routing.RoutingTableCodec;
import io.vectorshard.core.routing.ShardEndpoint;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code <name>-routing}: the published routing table and the seed addresses routers bootstrap
 * from. Routers read the table from the shards; this copy is for people and tools.
 */
public final class RoutingConfigMap {
  public static final String TABLE = "routing.json";
  public static final String SEEDS = "seeds";
  public static final String EPOCH = "epoch";

  private RoutingConfigMap() {}

  public static ConfigMap desired(VectorShardCluster vsc, RoutingTable table) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(TABLE, RoutingTableCodec.toJson(table));
    data.put(SEEDS, String.join(",", table.shards().stream().map(ShardEndpoint::address).toList()));
    data.put(EPOCH, Long.toString(table.epoch()));
    return new ConfigMapBuilder()
        .withMetadata(ClusterResources.owned(vsc, ClusterResources.routing(vsc.getMetadata().getName()),
            ClusterResources.clusterLabels(vsc)))
        .withData(data)
        .build();
  }
}
