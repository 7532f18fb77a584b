package dev.vecino.p2p.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.PeerNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** README.md and docs/metrics.md show the code of {@link DocSnippets}, which compiles and runs. */
@Timeout(30)
class DocSnippetsTest {

  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  /** The lines between {@code // name:BEGIN} and {@code // name:END}, without their common indentation. */
  static String snippet(String source, String name) {
    String begin = "// " + name + ":BEGIN\n";
    int b = source.indexOf(begin);
    int e = source.indexOf("// " + name + ":END", b);
    assertTrue(b >= 0 && e > b, "markers of " + name + " not found");
    String body = source.substring(b + begin.length(), e);
    String[] lines = body.stripTrailing().split("\n");
    int indent = Integer.MAX_VALUE;
    for (String line : lines) {
      if (!line.isBlank()) {
        indent = Math.min(indent, line.length() - line.stripLeading().length());
      }
    }
    int cut = indent;
    return java.util.Arrays.stream(lines).map(l -> l.length() >= cut ? l.substring(cut) : l.strip())
        .collect(Collectors.joining("\n"));
  }

  /** The fenced block that follows {@code <!-- name-example -->} in a document. */
  static String shown(Path document, String name) throws Exception {
    String text = Files.readString(document);
    String marker = "<!-- " + name + "-example -->\n```java\n";
    int b = text.indexOf(marker);
    int e = text.indexOf("```", b + marker.length());
    assertTrue(b >= 0 && e > b, name + " example not found in " + document);
    return text.substring(b + marker.length(), e).stripTrailing();
  }

  private static void assertShown(Path document, String name) throws Exception {
    String source = Files.readString(Path.of("src/test/java/dev/vecino/p2p/readme/DocSnippets.java"));
    assertEquals(snippet(source, name), shown(document, name), document.getFileName() + " shows another " + name);
  }

  @Test
  void documentsShowTheCompiledSnippets() throws Exception {
    assertShown(ROOT.resolve("README.md"), "keep-alive");
    assertShown(ROOT.resolve("README.md"), "unwrap");
    assertShown(ROOT.resolve("docs/metrics.md"), "jmx");
  }

  /** Runs {@code body} with System.out ({@code err} false) or System.err captured; returns what it printed. */
  private static String captured(boolean err, ThrowingRunnable body) throws Exception {
    PrintStream old = err ? System.err : System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
    if (err) {
      System.setErr(capture);
    } else {
      System.setOut(capture);
    }
    try {
      body.run();
    } finally {
      if (err) {
        System.setErr(old);
      } else {
        System.setOut(old);
      }
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void unwrapIdiomNamesTheVecinoException() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    try (PeerNode node = PeerNode.builder().name("ana").bindAddress("127.0.0.1").build().start()) {
      String printed = captured(true, () -> DocSnippets.unwrap(node, closed));
      assertTrue(printed.startsWith("cannot reach the peer: cannot connect to 127.0.0.1:" + closed), printed);
    }
  }

  @Test
  void jmxSnippetReadsTheMxBean() throws Exception {
    assertEquals("0 peers, 0 strangers refused", captured(false, DocSnippets::jmx).strip());
  }
}
