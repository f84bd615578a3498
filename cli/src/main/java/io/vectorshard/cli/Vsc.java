package io.vectorshard.cli;

import io.vectorshard.cli.demo.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vsc} command line. */
@Command(name = "vsc", mixinStandardHelpOptions = true, version = "vectorshard 0.1.0",
    description = "Sharded multi-tenant vector search on Redis 8.",
    subcommands = {LocalCommand.class, DemoCommand.class, RouterCommand.class, OperatorCommand.class, CommandLine.HelpCommand.class})
public final class Vsc implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line; bad input and failures print one clear line and exit non-zero. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Vsc());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("vsc: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return e instanceof IllegalArgumentException ? 2 : 1;
    });
    return cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
