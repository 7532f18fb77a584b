package dev.vecino.consumer;

import static dev.vecino.consumer.Consumers.coreJar;
import static dev.vecino.consumer.Consumers.path;
import static dev.vecino.consumer.Consumers.slf4jApiJar;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The examples in the scan API's javadoc compile against the built jar: every
 * {@code <pre>{@code ...}</pre>} block of {@code Targets}, {@code Ports}, {@code ScanOptions} and
 * {@code ScanHandle} becomes the body of a method that has a started {@code node} at hand, and
 * javac (every lint, warnings as errors) must accept it.
 */
@Timeout(120)
class ScanJavadocExamplesIT {

  private static final Path SOURCES = Path.of(Consumers.property("vecino.root"))
      .resolve("p2p-core/src/main/java/dev/vecino/p2p/scan");
  private static final Pattern BLOCK = Pattern.compile("<pre>\\{@code\\n(.*?)\\n \\* }</pre>", Pattern.DOTALL);

  /** The code of every example block in a source file, without the javadoc's leading {@code " * "}. */
  static List<String> examples(Path source) throws IOException {
    List<String> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(Files.readString(source));
    while (m.find()) {
      blocks.add(m.group(1).lines().map(l -> l.replaceFirst("^ \\* ?", "")).collect(Collectors.joining("\n")));
    }
    return blocks;
  }

  @Test
  void everyScanApiExampleCompiles() throws Exception {
    Path work = Consumers.scratch("scan-javadoc");
    Path sources = Files.createDirectories(work.resolve("src"));
    int count = 0;
    for (String type : List.of("Targets", "Ports", "ScanOptions", "ScanHandle")) {
      List<String> blocks = examples(SOURCES.resolve(type + ".java"));
      assertFalse(blocks.isEmpty(), type + " has no example");
      for (int i = 0; i < blocks.size(); i++) {
        String name = type + "Example" + i;
        Files.writeString(sources.resolve(name + ".java"), "import dev.vecino.p2p.*;\n"
            + "import dev.vecino.p2p.scan.*;\nimport java.time.Duration;\nimport java.util.concurrent.TimeUnit;\n\n"
            + "final class " + name + " {\n  private " + name + "() {}\n\n"
            + "  static void run(PeerNode node) throws Exception {\n" + blocks.get(i) + "\n  }\n}\n",
            StandardCharsets.UTF_8);
        count++;
      }
    }
    Consumers.Compilation compiled = Consumers.compile(sources, work.resolve("classes"),
        List.of("--class-path", path(coreJar(), slf4jApiJar())));
    assertTrue(compiled.success(), compiled.diagnostics());
    assertTrue(count >= 5, "expected an example on each scan type, found " + count);
  }
}
