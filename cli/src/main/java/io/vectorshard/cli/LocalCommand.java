package io.vectorshard.cli;

import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.core.spec.ClusterManifests;
import io.vectorshard.local.LocalCluster;
import io.vectorshard.local.LocalState;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/** {@code vsc local up|down|status}: a cluster of Redis processes and a router on this machine. */
@Command(name = "local", mixinStandardHelpOptions = true,
    description = "Run a VectorShardCluster as processes on this machine.",
    subcommands = {LocalCommand.Up.class, LocalCommand.Down.class, LocalCommand.Status.class})
public final class LocalCommand {
  @Option(names = "--state-dir", defaultValue = ".vsc", description = "Where clusters keep data and state (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  LocalCluster cluster() {
    return new LocalCluster(stateDir, System.out);
  }

  @Command(name = "up", mixinStandardHelpOptions = true,
      description = "Start (or resume) the shards and the router described by a VectorShardCluster YAML.")
  static final class Up implements Callable<Integer> {
    @ParentCommand
    LocalCommand parent;

    @Option(names = {"-f", "--file"}, required = true, description = "The VectorShardCluster YAML.")
    Path file;

    @Option(names = "--base-port", defaultValue = "7400", description = "Port of shard 0; shard i listens on base+i (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--router-host", defaultValue = "127.0.0.1", description = "Address the router listens on (default: ${DEFAULT-VALUE}).")
    String routerHost;

    @Override
    public Integer call() {
      VectorShardCluster manifest = ClusterManifests.read(file);
      LocalState state = parent.cluster().up(manifest, new LocalCluster.UpOptions(basePort, routerHost));
      System.out.printf("Try: curl -s %s/v1/routing%nStop: vsc local down %s%n", state.router().url(), state.cluster());
      return 0;
    }
  }

  @Command(name = "down", mixinStandardHelpOptions = true,
      description = "Stop a local cluster. Its data stays unless --purge is given.")
  static final class Down implements Callable<Integer> {
    @ParentCommand
    LocalCommand parent;

    @Parameters(arity = "0..1", description = "Cluster name (default: the only one, or given by -f).")
    String name;

    @Option(names = {"-f", "--file"}, description = "Take the cluster name from this VectorShardCluster YAML.")
    Path file;

    @Option(names = "--purge", description = "Also delete the cluster's data and state.")
    boolean purge;

    @Override
    public Integer call() {
      LocalCluster cluster = parent.cluster();
      String target = name != null ? name : file != null ? ClusterManifests.read(file).getMetadata().getName() : only(cluster);
      return cluster.down(target, purge) ? 0 : 1;
    }

    private String only(LocalCluster cluster) {
      List<String> names = cluster.clusters();
      if (names.size() != 1) {
        throw new IllegalArgumentException(names.isEmpty() ? "no local clusters under " + parent.stateDir
            : "several local clusters (" + String.join(", ", names) + "); name one");
      }
      return names.get(0);
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true, description = "List local clusters and their processes.")
  static final class Status implements Callable<Integer> {
    @ParentCommand
    LocalCommand parent;

    @Override
    public Integer call() {
      LocalCluster cluster = parent.cluster();
      List<String> names = cluster.clusters();
      if (names.isEmpty()) {
        System.out.println("no local clusters under " + parent.stateDir);
      }
      for (String name : names) {
        LocalState state = LocalState.read(cluster.clusterDir(name)).orElseThrow();
        boolean routerUp = ProcessHandle.of(state.router().pid()).map(ProcessHandle::isAlive).orElse(false);
        System.out.printf("%s: %d shards on ports %s; router %s (%s)%n", name, state.shards().size(),
            state.shards().stream().map(s -> Integer.toString(s.port())).toList(), state.router().url(),
            routerUp ? "running, pid " + state.router().pid() : "stopped");
      }
      return 0;
    }
  }
}
