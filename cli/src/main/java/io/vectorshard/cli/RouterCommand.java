package io.vectorshard.cli;

import io.vectorshard.router.RouterMain;
import picocli.CommandLine.Command;

/** {@code vsc router}: the sidecar in the foreground, configured by {@code VSC_ROUTER_*} variables. */
@Command(name = "router", mixinStandardHelpOptions = true,
    description = "Run the router sidecar in the foreground (configured by VSC_ROUTER_* environment variables).")
public final class RouterCommand implements Runnable {
  @Override
  public void run() {
    RouterMain.main(new String[0]);
    try {
      Thread.currentThread().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
