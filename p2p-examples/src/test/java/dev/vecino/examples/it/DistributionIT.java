package dev.vecino.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self-contained distribution the {@code dist} profile builds: unpacked from its
 * {@code .tar.gz} and run through its launcher with {@code JAVA_HOME} unset and a {@code java}
 * first on the PATH that fails, so only the bundled runtime can make it work. Loopback only.
 * Runs in the {@code dist} profile (system property {@code vecino.dist}); skipped elsewhere.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DistributionIT {

  @TempDir
  static Path tmp;

  private static Path home;
  private static Path fakeBin;

  @BeforeAll
  static void unpack() throws Exception {
    String dist = System.getProperty("vecino.dist");
    Assumptions.assumeTrue(dist != null, "vecino.dist is not set: run with -Pdist");
    List<Path> tarballs;
    try (Stream<Path> files = Files.list(Path.of(dist))) {
      tarballs = files.filter(p -> p.getFileName().toString().endsWith(".tar.gz")).toList();
    }
    assertEquals(1, tarballs.size(), "one archive in " + dist + ": " + tarballs);
    String version = System.getProperty("vecino.version");
    assertTrue(tarballs.get(0).getFileName().toString().startsWith("vecino-" + version + "-"),
        tarballs.toString());
    Path into = Files.createDirectories(tmp.resolve("unpacked"));
    Process tar = new ProcessBuilder("tar", "-xzf", tarballs.get(0).toString(), "-C", into.toString())
        .inheritIO().start();
    assertTrue(tar.waitFor(60, TimeUnit.SECONDS) && tar.exitValue() == 0, "tar -xzf failed");
    home = into.resolve("vecino-" + version);
    fakeBin = Files.createDirectories(tmp.resolve("fake-bin"));
    Path fakeJava = fakeBin.resolve("java");
    Files.writeString(fakeJava, "#!/bin/sh\necho 'the PATH java was used' >&2\nexit 97\n");
    assertTrue(fakeJava.toFile().setExecutable(true));
  }

  /** The launcher (or any path to it) with no JAVA_HOME and a failing {@code java} on the PATH. */
  private static ProcessBuilder launcher(Path launcher, String... args) {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("JAVA_HOME");
    pb.environment().remove("VECINO_JAVA_OPTS");
    pb.environment().put("PATH", fakeBin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    return pb;
  }

  private static VecinoProcess chat(String name, String... more) throws IOException {
    List<String> args = new ArrayList<>(List.of("chat", "--name", name, "--bind", "127.0.0.1",
        "--port", "0", "--config-dir", tmp.resolve(name).toString()));
    args.addAll(List.of(more));
    VecinoProcess p = VecinoProcess.start(name,
        launcher(home.resolve("bin/vecino"), args.toArray(String[]::new)));
    p.port();
    return p;
  }

  @Test
  void theArchiveHoldsTheLauncherJarRuntimeManPageAndCompletion() {
    assertTrue(Files.isExecutable(home.resolve("bin/vecino")));
    assertTrue(Files.isExecutable(home.resolve("runtime/bin/java")));
    assertTrue(Files.isRegularFile(home.resolve("lib/vecino.jar")));
    assertTrue(Files.isRegularFile(home.resolve("share/man/man1/vecino.1")));
    assertTrue(Files.isRegularFile(home.resolve("share/bash-completion/completions/vecino")));
    assertTrue(Files.isRegularFile(home.resolve("README.txt")));
  }

  @Test
  void versionRunsOnTheBundledRuntimeEvenThroughASymlink() throws Exception {
    Path link = Files.createDirectories(tmp.resolve("on-path")).resolve("vecino");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, home.resolve("bin/vecino"));
    for (Path launcher : List.of(home.resolve("bin/vecino"), link)) {
      try (VecinoProcess v = VecinoProcess.start("version", launcher(launcher, "--version"))) {
        assertEquals(0, v.awaitExit(), v.dump());
        assertEquals("vecino " + System.getProperty("vecino.version"), v.outLines().get(0), v.dump());
      }
    }
  }

  @Test
  void aPipedChatOnLoopbackTalksToAnotherAndLeavesWithAGoodbye() throws Exception {
    try (VecinoProcess ana = chat("ana")) {
      Path exe = Path.of("/proc", String.valueOf(ana.pid()), "exe");
      if (Files.exists(exe)) {
        assertEquals(home.resolve("runtime/bin/java").toRealPath(), exe.toRealPath(),
            "the chat runs on the bundled runtime");
      }
      try (VecinoProcess bob = chat("bob", "--connect", ana.address())) {
        bob.awaitOut("+ ana joined");
        ana.awaitOut("+ bob joined");
        bob.send("hola desde la distribución");
        ana.awaitOut("] bob: hola desde la distribución");
        bob.closeStdin();
        assertEquals(0, bob.awaitExit(), bob.dump());
        ana.awaitOut("- bob left (closed by peer");
      }
    }
  }

  @Test
  void theCompletionCommandPrintsTheScriptTheArchiveShips() throws Exception {
    try (VecinoProcess c = VecinoProcess.start("completion",
        launcher(home.resolve("bin/vecino"), "completion"))) {
      assertEquals(0, c.awaitExit(), c.dump());
      List<String> shipped = Files.readAllLines(
          home.resolve("share/bash-completion/completions/vecino"), StandardCharsets.UTF_8);
      assertEquals(shipped, c.outLines());
    }
  }

  @Test
  void theRuntimeHoldsWhatJdepsFindsInTheJarAndTheReflectiveExtrasOnly() throws Exception {
    Set<String> needed = new TreeSet<>(jdeps(home.resolve("lib/vecino.jar")));
    needed.add("jdk.unsupported");
    Set<String> present = new TreeSet<>();
    for (String line : Files.readAllLines(home.resolve("runtime/release"))) {
      if (line.startsWith("MODULES=")) {
        present.addAll(List.of(line.substring("MODULES=".length()).replace("\"", "").split(" ")));
      }
    }
    assertTrue(present.containsAll(needed), "runtime " + present + " lacks some of " + needed);
    assertFalse(present.contains("java.desktop"), "a minimal runtime: " + present);
  }

  private static List<String> jdeps(Path jar) {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = jdeps.run(new PrintStream(out, true, StandardCharsets.UTF_8), System.err,
        "--print-module-deps", "--ignore-missing-deps", "--multi-release",
        String.valueOf(Runtime.version().feature()), jar.toString());
    assertEquals(0, code);
    return List.of(out.toString(StandardCharsets.UTF_8).strip().split(","));
  }
}
