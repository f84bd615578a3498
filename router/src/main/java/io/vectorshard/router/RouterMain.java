package io.vectorshard.router;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point of the router sidecar process; configured by {@code VSC_ROUTER_*} variables. */
public final class RouterMain {
  private static final Logger LOG = LoggerFactory.getLogger(RouterMain.class);

  private RouterMain() {}

  public static void main(String[] args) {
    RouterConfig config;
    try {
      config = RouterConfig.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("vectorshard router: " + e.getMessage());
      System.exit(2);
      return;
    }
    RouterServer server = RouterServer.start(config);
    LOG.info("vectorshard router listening on http://{}:{} (seeds {})", config.host(), server.port(), config.seeds());
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "router-shutdown"));
  }
}
