package io.vectorshard.operator.kubernetes.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The control plane's programs, in kube-api-test's layout ({@code <testDir>/k8s/<X.Y.Z>-linux-amd64/}):
 * the directory {@code $VSC_KUBE_BINARIES} names (set by {@code scripts/test.sh}), else whatever
 * {@code scripts/kube-binaries.sh} prints (it builds them on first use and answers at once after).
 */
record KubeBinaries(Path directory) {
  static final String ENV = "VSC_KUBE_BINARIES";
  private static final String SCRIPT = "scripts/kube-binaries.sh";
  private static final List<String> REQUIRED = List.of("etcd", "kube-apiserver", "kubectl",
      "kube-controller-manager", "kube-scheduler", "kwok");

  static KubeBinaries locate() {
    String fromEnv = System.getenv(ENV);
    Path dir = fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv) : runScript();
    for (String name : REQUIRED) {
      if (!Files.isExecutable(dir.resolve(name))) {
        throw new IllegalStateException(dir + " has no " + name + "; run " + SCRIPT);
      }
    }
    if (!dir.getFileName().toString().endsWith("-linux-amd64")) {
      throw new IllegalStateException(dir + " is not a <version>-linux-amd64 directory of kube-api-test's layout");
    }
    return new KubeBinaries(dir.toAbsolutePath());
  }

  private static Path runScript() {
    Path script = null;
    for (Path d = Path.of("").toAbsolutePath(); d != null && script == null; d = d.getParent()) {
      script = Files.isRegularFile(d.resolve(SCRIPT)) ? d.resolve(SCRIPT) : null;
    }
    if (script == null) {
      throw new IllegalStateException("no " + SCRIPT + " above " + Path.of("").toAbsolutePath() + " and no $" + ENV);
    }
    try {
      Process p = new ProcessBuilder("bash", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.waitFor() != 0 || out.isEmpty()) {
        throw new IllegalStateException(SCRIPT + " failed (exit " + p.exitValue() + "); its messages are above");
      }
      return Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The bare version kube-api-test looks for, e.g. 1.36.3. */
  String version() {
    String name = directory.getFileName().toString();
    return name.substring(0, name.indexOf('-'));
  }

  /** The directory holding {@code k8s/}, which kube-api-test calls its test directory. */
  Path testDir() {
    return directory.getParent().getParent();
  }

  Path binary(String name) {
    return directory.resolve(name);
  }
}
