package dev.vecino.consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles and runs the small consumer programs under {@code src/test/consumers} against the
 * jars the build produced (paths come from failsafe system properties).
 */
final class Consumers {

  private Consumers() {}

  /** The built p2p-core jar, never target/classes: consumers must see what users get. */
  static Path coreJar() {
    return jar("vecino.core.jar");
  }

  /** The built p2p-micrometer jar. */
  static Path micrometerJar() {
    return jar("vecino.micrometer.jar");
  }

  /** Micrometer's own jars: what an application that binds the meters has at run time. */
  static Path[] micrometerLibraries() {
    return new Path[] {jar("micrometer.core.jar"), jar("micrometer.commons.jar"), jar("micrometer.observation.jar")};
  }

  static Path slf4jApiJar() {
    return jar("slf4j.api.jar");
  }

  static Path slf4jSimpleJar() {
    return jar("slf4j.simple.jar");
  }

  static String property(String name) {
    String value = System.getProperty(name);
    assertTrue(value != null && !value.isBlank() && !value.startsWith("${"),
        "system property " + name + " not set; run through `mvn verify`");
    return value;
  }

  private static Path jar(String property) {
    Path path = Path.of(property(property));
    assertTrue(path.getFileName().toString().endsWith(".jar") && Files.isRegularFile(path),
        property + " is not a built jar: " + path);
    return path;
  }

  static String path(Path... entries) {
    return Stream.of(entries).map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator));
  }

  /** The result of one javac run. */
  record Compilation(boolean success, String diagnostics) {}

  /**
   * Compiles every {@code .java} file under {@code sources} into {@code out}.
   *
   * @param options javac options besides {@code -d} (module or class path, lint flags)
   */
  static Compilation compile(Path sources, Path out, List<String> options) throws IOException {
    return compile(List.of(sources), out, options);
  }

  /** Compiles every {@code .java} file under each of {@code sources} into {@code out}. */
  static Compilation compile(List<Path> sources, Path out, List<String> options) throws IOException {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertTrue(javac != null, "no system Java compiler: tests need a JDK");
    List<Path> files = new ArrayList<>();
    for (Path dir : sources) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
      }
    }
    assertTrue(!files.isEmpty(), "no sources under " + sources);
    Files.createDirectories(out);
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    List<String> args = new ArrayList<>(options);
    args.addAll(List.of("--release", "17", "-Xlint:all", "-Werror", "-d", out.toString()));
    try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      boolean ok = javac.getTask(null, fm, diagnostics, args, null, fm.getJavaFileObjectsFromPaths(files)).call();
      String text = diagnostics.getDiagnostics().stream()
          .map(d -> d.getKind() + " " + (d.getSource() == null ? "" : d.getSource().getName() + ":" + d.getLineNumber())
              + " " + d.getMessage(Locale.ROOT))
          .collect(Collectors.joining("\n"));
      return new Compilation(ok, text); // -Werror: any warning fails it too
    }
  }

  /** The result of one {@code java} run. */
  record Run(int exitCode, String out, String err) {
    String describe() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  /** Runs {@code java} with these arguments in a fresh JVM, with a deadline. */
  static Run java(Path workDir, List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1"); // short-lived: C1 only starts faster
    command.addAll(args);
    Path out = workDir.resolve("stdout.txt");
    Path err = workDir.resolve("stderr.txt");
    Process process = new ProcessBuilder(command)
        .directory(workDir.toFile())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile())
        .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      fail("consumer did not finish within 60 s: " + command + "\n" + read(out) + "\n" + read(err));
    }
    return new Run(process.exitValue(), read(out), read(err));
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where the consumer sources live, relative to the module directory (failsafe's working directory). */
  static Path sources(String name) {
    Path dir = Path.of("src", "test", "consumers", name).toAbsolutePath();
    assertTrue(Files.isDirectory(dir), "missing " + dir);
    return dir;
  }

  /** A fresh scratch directory under target/consumers. */
  static Path scratch(String name) throws IOException {
    Path dir = Path.of("target", "consumers", name).toAbsolutePath();
    if (Files.exists(dir)) {
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) {
          Files.delete(p);
        }
      }
    }
    return Files.createDirectories(dir);
  }
}
