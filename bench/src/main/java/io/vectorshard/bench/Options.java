package io.vectorshard.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} options of a benchmark's command line over their defaults. */
final class Options {
  private Options() {}

  /** The defaults with the arguments' values; an unknown option ends the program with exit status 2. */
  static Map<String, String> parse(String program, Map<String, String> defaults, String[] args) {
    Map<String, String> options = new HashMap<>(defaults);
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!options.containsKey(args[i])) {
        System.err.println(program + ": unknown option " + args[i] + "; options: " + options.keySet());
        System.exit(2);
      }
      options.put(args[i], args[i + 1]);
    }
    return options;
  }
}
