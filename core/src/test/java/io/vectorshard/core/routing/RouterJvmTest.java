package io.vectorshard.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 5, unit = TimeUnit.MINUTES) // each test starts JVMs whose output it reads to the end
class RouterJvmTest {

  /** A flag this JDK does not know would stop every router from starting. */
  @Test
  void thisJdkStartsWithEveryFlag(@TempDir Path dir) throws Exception {
    Path jar = helloJar(dir);
    for (RouterJvm.ClassCache cache : RouterJvm.ClassCache.values()) {
      if (cache == RouterJvm.ClassCache.AOT_CACHE && RouterJvm.bestCache(jar.toString()) != cache) {
        continue;
      }
      Path caches = Files.createDirectories(dir.resolve(cache.name()));
      Run first = run(RouterJvm.flags(caches, jar.toString(), cache), jar);
      assertThat(first.exit()).as(first.output()).isZero();
      assertThat(first.output()).startsWith("hello").doesNotContain("Unrecognized").doesNotContain("Ignoring")
          .doesNotContain("[error]");
    }
  }

  /**
   * The first start records the AOT cache and writes it at exit, the next ones use it; new jars get
   * a cache of their own and the old one goes. Real JVMs on this JDK (25 or later).
   */
  @Test
  void theFirstStartWritesTheAotCacheAndLaterStartsUseIt(@TempDir Path dir) throws Exception {
    Path jar = helloJar(dir);
    assumeThat(RouterJvm.bestCache(jar.toString())).as("this JDK has AOT caches").isEqualTo(RouterJvm.ClassCache.AOT_CACHE);
    Path caches = Files.createDirectories(dir.resolve("caches"));

    List<String> recording = RouterJvm.flags(caches, jar.toString());
    assertThat(recording).anyMatch(f -> f.startsWith("-XX:AOTCacheOutput="));
    Run first = run(recording, jar);
    assertThat(first.exit()).as(first.output()).isZero();
    assertThat(cachesIn(caches)).hasSize(1);

    List<String> using = RouterJvm.flags(caches, jar.toString());
    assertThat(using).contains("-XX:AOTCache=" + cachesIn(caches).get(0));
    // AOTMode=on makes the JVM refuse to start rather than run without a cache it cannot use.
    List<String> strictly = new ArrayList<>(using);
    strictly.add("-XX:AOTMode=on");
    Run second = run(strictly, jar);
    assertThat(second.exit()).as(second.output()).isZero();
    assertThat(second.output()).startsWith("hello").doesNotContain("[error]").doesNotContain("[warning]");

    // A cache beside its configuration was cut short while being written: record it again.
    Path config = Files.createFile(caches.resolve(cachesIn(caches).get(0).getFileName() + ".config"));
    assertThat(RouterJvm.flags(caches, jar.toString())).anyMatch(f -> f.startsWith("-XX:AOTCacheOutput="));
    assertThat(config).doesNotExist();
    assertThat(run(RouterJvm.flags(caches, jar.toString()), jar).exit()).isZero();
    assertThat(RouterJvm.flags(caches, jar.toString())).contains("-XX:AOTCache=" + cachesIn(caches).get(0));

    Path oldCache = cachesIn(caches).get(0);
    Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000)); // new jars
    List<String> again = RouterJvm.flags(caches, jar.toString());
    assertThat(again).anyMatch(f -> f.startsWith("-XX:AOTCacheOutput=")).noneMatch(f -> f.contains(oldCache.toString()));
    assertThat(cachesIn(caches)).as("the cache for the old jars is gone").isEmpty();
  }

  /** {@code vsc.jar} names every other jar in its manifest: a rebuilt one needs a cache of its own. */
  @Test
  void theJarsAManifestNamesArePartOfTheFingerprint(@TempDir Path dir) throws Exception {
    Path dependency = Files.copy(helloJar(dir), Files.createDirectories(dir.resolve("lib")).resolve("dependency.jar"));
    Path main = dir.resolve("main.jar");
    java.util.jar.Manifest manifest = new java.util.jar.Manifest();
    manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, "lib/dependency.jar");
    try (OutputStream out = Files.newOutputStream(main); JarOutputStream jar = new JarOutputStream(out, manifest)) {
      jar.putNextEntry(new JarEntry("empty"));
      jar.closeEntry();
    }
    String before = RouterJvm.fingerprint(main.toString());
    assertThat(RouterJvm.fingerprint(main.toString())).isEqualTo(before);
    Files.setLastModifiedTime(dependency, FileTime.fromMillis(Files.getLastModifiedTime(dependency).toMillis() - 60_000));
    assertThat(RouterJvm.fingerprint(main.toString())).isNotEqualTo(before);
  }

  @Test
  void aClasspathWithADirectoryGetsTheClassDataArchive(@TempDir Path dir) throws Exception {
    String classpath = helloJar(dir) + File.pathSeparator + dir;
    assertThat(RouterJvm.bestCache(classpath)).isEqualTo(RouterJvm.ClassCache.CLASS_DATA_ARCHIVE);
    assertThat(RouterJvm.flags(dir, classpath)).contains("-XX:+AutoCreateSharedArchive").noneMatch(f -> f.contains("AOT"));
    assertThatThrownBy(() -> RouterJvm.flags(dir, classpath, RouterJvm.ClassCache.AOT_CACHE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jars only");
    assertThat(RouterJvm.bestCache(Runtime.Version.parse("21.0.4"), helloJar(dir).toString()))
        .isEqualTo(RouterJvm.ClassCache.CLASS_DATA_ARCHIVE);
  }

  @Test
  void theNativeHeapIsTrimmedOnlyWhereTheJdkCan() {
    assertThat(RouterJvm.trimsNativeHeap(Runtime.Version.parse("21"))).isFalse();
    assertThat(RouterJvm.trimsNativeHeap(Runtime.Version.parse("21.0.1"))).isTrue();
    assertThat(RouterJvm.trimsNativeHeap(Runtime.Version.parse("22"))).isTrue();
    assertThat(RouterJvm.trimsNativeHeap(Runtime.Version.parse("25.0.3"))).isTrue();
  }

  private record Run(int exit, String output) {}

  private static Run run(List<String> flags, Path jar) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
    command.addAll(flags);
    command.addAll(List.of("-cp", jar.toString(), "Hello"));
    Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(java.exitValue(), output);
  }

  private static List<Path> cachesIn(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".aot")).toList();
    }
  }

  /**
   * Launchers run the router from its sidecar jar where one lies beside the jar its main class came
   * from (the router's target, the CLI's lib, a Maven repository), else from what they were given.
   */
  @Test
  void theSidecarJarBesideTheRoutersJarIsItsClasspath(@TempDir Path dir) throws Exception {
    Path jar = Files.copy(helloJar(dir), Files.createDirectories(dir.resolve("a dir with spaces, ü")).resolve("router-1.0.jar"));
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      Class<?> main = loader.loadClass("Hello");
      assertThat(RouterJvm.classpath(main, "given")).isEqualTo("given");
      Files.createDirectory(jar.resolveSibling("router-1.0-sidecar.jar"));
      assertThat(RouterJvm.classpath(main, "given")).as("a directory of that name").isEqualTo("given");
      Files.delete(jar.resolveSibling("router-1.0-sidecar.jar"));
      Files.copy(jar, jar.resolveSibling("router-1.0-sidecar.jar.partial"));
      assertThat(RouterJvm.classpath(main, "given")).as("only the exact name").isEqualTo("given");
      Path sidecar = Files.copy(jar, jar.resolveSibling("router-1.0-sidecar.jar"));
      Files.setLastModifiedTime(sidecar, Files.getLastModifiedTime(jar));
      assertThat(RouterJvm.classpath(main, "given")).isEqualTo(sidecar.toAbsolutePath().toString());
      Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(sidecar).toMillis() + 60_000));
      assertThat(RouterJvm.classpath(main, "given")).as("a sidecar jar older than the plain jar").isEqualTo("given");
      Files.setLastModifiedTime(jar, Files.getLastModifiedTime(sidecar));
    }
    Path sidecar = jar.resolveSibling("router-1.0-sidecar.jar");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {sidecar.toUri().toURL()}, null)) {
      assertThat(RouterJvm.classpath(loader.loadClass("Hello"), "given")).as("loaded from the sidecar jar itself").isEqualTo("given");
    }
    // A class from a directory: a test run of the router's module.
    assertThat(RouterJvm.classpath(RouterJvmTest.class, "given")).isEqualTo("given");
  }

  /** A jar with one class that prints "hello", compiled here: the AOT cache takes classes from jars only. */
  private static Path helloJar(Path dir) throws IOException {
    Path jar = dir.resolve("hello.jar");
    if (Files.exists(jar)) {
      return jar;
    }
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("Hello.java"), "public class Hello { public static void main(String[] a) { System.out.println(\"hello\"); } }");
    int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", src.toString(), src.resolve("Hello.java").toString());
    assertThat(compiled).isZero();
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out)) {
      jarOut.putNextEntry(new JarEntry("Hello.class"));
      jarOut.write(Files.readAllBytes(src.resolve("Hello.class")));
      jarOut.closeEntry();
    }
    return jar;
  }
}
