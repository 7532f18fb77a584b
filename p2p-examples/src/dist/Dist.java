import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

/**
 * Builds the self-contained distribution (the {@code dist} profile of p2p-examples runs it with
 * the build's JDK as a single-file program):
 *
 * <ol>
 *   <li>asks {@code jdeps --print-module-deps} which JDK modules the shaded jar needs, and adds
 *       the ones it loads reflectively (jdeps cannot see them);
 *   <li>makes a runtime of just those modules with {@code jlink};
 *   <li>lays out {@code vecino-VERSION/} with the launcher, the jar, the runtime, the man page,
 *       the completion script and a README;
 *   <li>packs it as {@code vecino-VERSION-OS-ARCH.tar.gz} with the system's {@code tar}
 *       (which keeps the runtime's permissions and symbolic links).
 * </ol>
 *
 * <p>Arguments: shaded jar, shell docs directory, src/dist directory, version, output directory,
 * extra modules (comma-separated).
 */
public final class Dist {

  private Dist() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length != 6) {
      throw new IllegalArgumentException(
          "usage: Dist JAR SHELL_DOCS_DIR SRC_DIST_DIR VERSION OUTPUT_DIR EXTRA_MODULES");
    }
    Path jar = Path.of(args[0]);
    Path shellDocs = Path.of(args[1]);
    Path src = Path.of(args[2]);
    String version = args[3];
    Path out = Path.of(args[4]);
    TreeSet<String> modules = new TreeSet<>(jdeps(jar));
    for (String extra : args[5].split(",")) {
      if (!extra.isBlank()) {
        modules.add(extra.strip());
      }
    }
    String platform = platform();
    String name = "vecino-" + version;
    Path home = out.resolve(name);
    deleteTree(home);
    Files.createDirectories(home);
    run("jlink", "--add-modules", String.join(",", modules), "--strip-debug", "--no-header-files",
        "--no-man-pages", "--compress=2", "--output", home.resolve("runtime").toString());
    copy(jar, home.resolve("lib/vecino.jar"), "rw-r--r--");
    copy(src.resolve("bin/vecino"), home.resolve("bin/vecino"), "rwxr-xr-x");
    copy(shellDocs.resolve("vecino.1"), home.resolve("share/man/man1/vecino.1"), "rw-r--r--");
    copy(shellDocs.resolve("vecino.bash"), home.resolve("share/bash-completion/completions/vecino"),
        "rw-r--r--");
    String readme = Files.readString(src.resolve("README.txt"), StandardCharsets.UTF_8)
        .replace("@VERSION@", version).replace("@PLATFORM@", platform);
    Files.writeString(home.resolve("README.txt"), readme, StandardCharsets.UTF_8);
    Path tarball = out.resolve(name + "-" + platform + ".tar.gz");
    Files.deleteIfExists(tarball);
    Process tar = new ProcessBuilder("tar", "-czf", tarball.toString(), "-C", out.toString(), name)
        .inheritIO().start();
    if (tar.waitFor() != 0) {
      throw new IOException("tar failed with exit code " + tar.exitValue());
    }
    System.out.printf("dist: runtime modules %s%n", String.join(",", modules));
    System.out.printf("dist: %s (%d KB; unpacked runtime %d KB)%n", tarball,
        Files.size(tarball) / 1024, treeSize(home.resolve("runtime")) / 1024);
  }

  /** The JDK modules the jar refers to, per {@code jdeps --print-module-deps}. */
  private static List<String> jdeps(Path jar) {
    String deps = run("jdeps", "--print-module-deps", "--ignore-missing-deps", "--multi-release",
        String.valueOf(Runtime.version().feature()), jar.toString());
    List<String> modules = new ArrayList<>();
    for (String m : deps.strip().split(",")) {
      if (!m.isBlank()) {
        modules.add(m.strip());
      }
    }
    if (modules.isEmpty()) {
      throw new IllegalStateException("jdeps found no modules in " + jar);
    }
    return modules;
  }

  private static String run(String tool, String... args) {
    ToolProvider provider = ToolProvider.findFirst(tool)
        .orElseThrow(() -> new IllegalStateException(tool + " is not in this JDK (a JRE?)"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = provider.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), args);
    if (code != 0) {
      throw new IllegalStateException(tool + " failed (" + code + "): "
          + err.toString(StandardCharsets.UTF_8) + out.toString(StandardCharsets.UTF_8));
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** {@code linux-x64}, {@code linux-aarch64}, {@code macos-aarch64}: the runtime's platform. */
  private static String platform() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    os = os.startsWith("mac") ? "macos" : os.startsWith("windows") ? "windows" : os.split(" ")[0];
    arch = arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch;
    return os + "-" + arch;
  }

  private static void copy(Path from, Path to, String mode) throws IOException {
    Files.createDirectories(to.getParent());
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(mode));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  private static long treeSize(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
