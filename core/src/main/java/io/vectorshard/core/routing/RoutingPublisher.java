package io.vectorshard.core.routing;

import io.vectorshard.core.redis.ShardAdmin;
import io.vectorshard.core.redis.ShardClients;
import java.util.List;

/**
 * Makes a routing table live: loads the function library on every shard, then publishes the table
 * (vsc:routing, vsc:epoch, an announcement on the vsc:routing channel) to every shard. The epoch is
 * raised on every shard before anyone routes by the new table, which is what fences old writers.
 */
public final class RoutingPublisher {
  private final ShardClients clients;

  /** Publishes through {@code clients}, which stay open: the caller owns them. */
  public RoutingPublisher(ShardClients clients) {
    this.clients = clients;
  }

  /** Publishes to every shard of the table. Returns how many shards changed (0 when already live). */
  public int publish(RoutingTable table) {
    return publishTo(table, table.shards());
  }

  /**
   * Publishes to the given shards only: those of the table that lack it, or shards about to leave
   * the cluster, whose higher epoch then fences writes from routers that still send there.
   */
  public int publishTo(RoutingTable table, List<ShardEndpoint> endpoints) {
    return publish(table, endpoints, true);
  }

  /**
   * Publishes a step of a running transition (a streamed bucket's next phase) to shards that were
   * given the transition's first table, and so the function library, moments ago. Skipping the
   * library load keeps the write pause of a switch short.
   */
  public int publishStep(RoutingTable table, List<ShardEndpoint> endpoints) {
    return publish(table, endpoints, false);
  }

  private int publish(RoutingTable table, List<ShardEndpoint> endpoints, boolean loadFunctions) {
    String json = RoutingTableCodec.toJson(table);
    int changed = 0;
    for (ShardEndpoint endpoint : endpoints) {
      ShardAdmin shard = clients.get(endpoint).admin();
      if (loadFunctions) {
        shard.loadFunctions();
      }
      if (shard.publish(table.epoch(), json)) {
        changed++;
      }
    }
    return changed;
  }
}
