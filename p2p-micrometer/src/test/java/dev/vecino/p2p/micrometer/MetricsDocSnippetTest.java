package dev.vecino.p2p.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.PeerNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** docs/metrics.md shows the code of {@link #example()}, which compiles and runs. */
@Timeout(30)
class MetricsDocSnippetTest {

  private static final Path SELF = Path.of("src/test/java/dev/vecino/p2p/micrometer/MetricsDocSnippetTest.java");

  /** The Micrometer example of docs/metrics.md; returns the gauge it read. */
  static double example() {
    // micrometer:BEGIN
    MeterRegistry registry = new SimpleMeterRegistry();   // or your Prometheus, OTLP, ... registry
    PeerNode node = PeerNode.builder().name("ana").bindAddress("127.0.0.1").build().start();
    new PeerNodeMetrics(node).bindTo(registry);
    double peers = registry.get("vecino.connections").tag("state", "connected").gauge().value();
    node.close();
    // micrometer:END
    return peers;
  }

  @Test
  void docsShowTheCompiledExample() throws Exception {
    String source = Files.readString(SELF);
    String begin = "// micrometer:BEGIN\n";
    int b = source.indexOf(begin);
    int e = source.indexOf("// micrometer:END", b);
    String code = Arrays.stream(source.substring(b + begin.length(), e).stripTrailing().split("\n"))
        .map(l -> l.substring(Math.min(4, l.length()))).collect(Collectors.joining("\n"));
    String doc = Files.readString(Path.of("").toAbsolutePath().getParent().resolve("docs/metrics.md"));
    String marker = "<!-- micrometer-example -->\n```java\n";
    int d = doc.indexOf(marker);
    assertTrue(d >= 0, "docs/metrics.md lacks the Micrometer example");
    String shown = doc.substring(d + marker.length(), doc.indexOf("```", d + marker.length())).stripTrailing();
    assertEquals(code, shown);
  }

  @Test
  void exampleReadsTheGauge() {
    assertEquals(0.0, example());
  }
}
