package io.vectorshard.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterJvmTest {

  /** A flag this JDK does not know would stop every router from starting. */
  @Test
  void thisJdkStartsWithEveryFlag(@TempDir Path dir) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
    command.addAll(RouterJvm.flags(dir.resolve("router.jsa")));
    command.add("-version");
    Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(java.exitValue()).as(output).isZero();
    assertThat(output).doesNotContain("Unrecognized").doesNotContain("Ignoring");
  }

  @Test
  void theNativeHeapIsTrimmedOnlyWhereTheJdkCan() {
    assertThat(RouterJvm.trimsNativeHeap(Runtime.Version.parse("21"))).isFalse();
    assertThat(RouterJvm.trimsNativeHeap(Runtime.Version.parse("21.0.1"))).isTrue();
    assertThat(RouterJvm.trimsNativeHeap(Runtime.Version.parse("22"))).isTrue();
    assertThat(RouterJvm.trimsNativeHeap(Runtime.Version.parse("25.0.3"))).isTrue();
  }
}
