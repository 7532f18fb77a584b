package dev.vecino.p2p.readme;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's embedding example is this package's ReadmeExample: it compiles, runs, and matches the README. */
@Timeout(30)
class ReadmeExampleTest {

  private static String between(String text, String begin, String end) {
    int b = text.indexOf(begin);
    int e = b < 0 ? -1 : text.indexOf(end, b + begin.length());
    assertTrue(b >= 0 && e > b, "markers " + begin + " / " + end + " not found");
    return text.substring(b + begin.length(), e).strip();
  }

  @Test
  void readmeShowsTheCompiledExample() throws Exception {
    Path root = Path.of("").toAbsolutePath().getParent();
    String readme = Files.readString(root.resolve("README.md"));
    String source = Files.readString(Path.of("src/test/java/dev/vecino/p2p/readme/ReadmeExample.java"));
    String code = between(source, "// README:BEGIN", "// README:END");
    String shown = between(readme, "<!-- embedding-example -->\n```java", "```");
    assertTrue(shown.equals(code), "README example differs from ReadmeExample.java:\n" + shown + "\n---\n" + code);
  }

  @Test
  void exampleRunsAndPrintsTheMessage() throws Exception {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      ReadmeExample.main(new String[0]);
    } finally {
      System.setOut(old);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertTrue(out.contains("bob /127.0.0.1:"), out);
    // ana's close waits for bob to read up to the BYE; bob's close drains its callbacks.
    assertTrue(out.contains("ana says hola, bob"), out);
  }
}
