package io.vectorshard.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vectorshard.api.VectorShardCluster;
import io.vectorshard.core.spec.ClusterManifests;
import io.vectorshard.local.LocalCluster;
import io.vectorshard.local.LocalState;
import io.vectorshard.local.LocalStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/** {@code vsc local up|apply|down|status}: a cluster of Redis processes and a router on this machine. */
@Command(name = "local", mixinStandardHelpOptions = true,
    description = "Run a VectorShardCluster as processes on this machine.",
    subcommands = {LocalCommand.Up.class, LocalCommand.Apply.class, LocalCommand.Down.class, LocalCommand.Status.class})
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

  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = {"Bring a running local cluster to an edited VectorShardCluster YAML: start new shards, move data "
          + "online, stop drained shards. Run again after an interruption to resume."})
  static final class Apply implements Callable<Integer> {
    @ParentCommand
    LocalCommand parent;

    @Option(names = {"-f", "--file"}, required = true, description = "The edited VectorShardCluster YAML.")
    Path file;

    @Override
    public Integer call() {
      LocalState state = parent.cluster().apply(ClusterManifests.read(file));
      System.out.printf("Router: %s%n", state.router().url());
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

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Show local clusters: processes, what each shard holds, a running transition and its progress.")
  static final class Status implements Callable<Integer> {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    @ParentCommand
    LocalCommand parent;

    @Parameters(arity = "0..1", description = "Cluster name (default: every cluster).")
    String name;

    @Option(names = {"-o", "--output"}, defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    String output;

    @Override
    public Integer call() throws Exception {
      if (!output.equals("text") && !output.equals("json")) {
        throw new IllegalArgumentException("--output must be text or json, got " + output);
      }
      LocalCluster cluster = parent.cluster();
      List<String> names = name != null ? List.of(name) : cluster.clusters();
      List<LocalStatus> statuses = new ArrayList<>();
      for (String n : names) {
        statuses.add(cluster.status(n).orElseThrow(() -> new IllegalArgumentException(
            "no local cluster named " + n + " under " + parent.stateDir)));
      }
      if (output.equals("json")) {
        System.out.println(JSON.writeValueAsString(name != null ? statuses.get(0) : statuses));
        return 0;
      }
      if (statuses.isEmpty()) {
        System.out.println("no local clusters under " + parent.stateDir);
      }
      statuses.forEach(s -> System.out.print(text(s)));
      return 0;
    }

    static String text(LocalStatus s) {
      StringBuilder b = new StringBuilder();
      b.append(String.format("%s: %d shards, routing epoch %s; router %s (%s)%n", s.cluster(), s.shards().size(),
          s.epoch() == null ? "none" : s.epoch(), s.router().url(),
          s.router().running() ? "running, pid " + s.router().pid() : "stopped"));
      for (LocalStatus.Shard shard : s.shards()) {
        b.append(String.format("  shard-%d port %d: %s%n", shard.ordinal(), shard.port(), shard.up()
            ? shard.vectors() + " vectors, " + shard.tenants() + " tenants" : "down (" + shard.error() + ")"));
      }
      if (s.transition() != null) {
        b.append(String.format("  transition %d -> %d shards, %d streamed bucket(s)%s%n", s.transition().fromShards(),
            s.transition().toShards(), s.transition().streams().size(), s.transition().streams().isEmpty() ? ""
                : ": " + String.join(", ", s.transition().streams().stream()
                    .map(t -> t.tenant() + "/" + t.bucket() + " " + t.phase()).toList())));
        if (s.progress() != null) {
          LocalStatus.Progress p = s.progress();
          b.append(String.format("  progress (%s): %d/%d moves, %d/%d vectors, ETA %d s%s%n", p.updated(), p.movesDone(),
              p.movesTotal(), p.vectorsMoved(), p.vectorsTotal(), p.etaSeconds(),
              p.current() == null ? "" : "; " + p.current()));
        } else {
          b.append("  no apply is reporting progress: run `vsc local apply -f` to resume the transition\n");
        }
      }
      return b.toString();
    }
  }
}
