package dev.vecino.examples.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.examples.scan.Scanner.Found;
import dev.vecino.examples.scan.Scanner.Kind;
import dev.vecino.p2p.PeerNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The scan command's output, driven by a scripted {@link Scanner} (no sockets probed). */
class ScanCommandTest {

  private static final Scanner.Outcome OUTCOME = new Scanner.Outcome(List.of(
      new Found(Kind.PEER, new InetSocketAddress("127.0.0.2", 9999), "ana",
          "3f9a1c2e" + "0".repeat(24), "vecino", 312),
      new Found(Kind.OTHER_GROUP, new InetSocketAddress("127.0.0.3", 9999), null, null, "x", -1),
      new Found(Kind.NOT_PEER, new InetSocketAddress("127.0.0.4", 9999), null, null, null, -1)),
      254, 3, Duration.ofMillis(53), false);

  private final AtomicReference<Scanner.Request> asked = new AtomicReference<>();

  private final Scanner scripted = new Scanner() {
    @Override
    public List<String> ownSubnets(PeerNode node) {
      return List.of();
    }

    @Override
    public long size(String targets) {
      return 1;
    }

    @Override
    public Job start(PeerNode node, Request request, Progress progress) {
      asked.set(request);
      return new Job() {
        @Override
        public CompletableFuture<Outcome> result() {
          return CompletableFuture.completedFuture(OUTCOME);
        }

        @Override
        public void cancel() {}
      };
    }
  };

  private String[] run(String... args) {
    ScanCommand cmd = new ScanCommand();
    new CommandLine(cmd).parseArgs(args);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = cmd.run(scripted, new PrintWriter(out), new PrintWriter(err));
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void textModePrintsOneLinePerAnswerAndASummary() {
    String[] r = run("127.0.0.0/24", "--port", "9999", "--timeout", "200ms");
    assertEquals("0", r[0], r[2]);
    assertEquals(List.of(
        "127.0.0.2:9999  ana  3f9a1c2e  rtt 0.3 ms",
        "127.0.0.3:9999  Vecino node of another group (x)",
        "127.0.0.4:9999  open, not a Vecino peer",
        "scan done in 53 ms: 254 probed, 3 open, 1 peer"), List.of(r[1].split("\\R")));
    assertEquals(new Scanner.Request("127.0.0.0/24", "9999", Duration.ofMillis(200), false),
        asked.get());
  }

  @Test
  void jsonModePrintsTypedObjectsAndASummaryLast() {
    String[] r = run("127.0.0.0/24", "127.0.1.1", "--json");
    String[] lines = r[1].split("\\R");
    assertEquals(4, lines.length);
    assertEquals("{\"type\":\"peer\",\"address\":\"127.0.0.2\",\"port\":9999,\"name\":\"ana\","
        + "\"id\":\"3f9a1c2e000000000000000000000000\",\"group\":\"vecino\",\"rttMicros\":312}",
        lines[0]);
    assertEquals("{\"type\":\"other-group\",\"address\":\"127.0.0.3\",\"port\":9999,\"group\":\"x\"}", lines[1],
        "the group, as text mode shows it");
    assertEquals("{\"type\":\"not-peer\",\"address\":\"127.0.0.4\",\"port\":9999}", lines[2]);
    assertEquals("{\"type\":\"summary\",\"probed\":254,\"open\":3,\"peers\":1,\"durationMs\":53}",
        lines[3]);
    assertEquals("127.0.0.0/24,127.0.1.1", asked.get().targets());
  }

  @Test
  void withoutTheCoreScanApiItSaysSoAndExitsOne() {
    ScanCommand cmd = new ScanCommand();
    new CommandLine(cmd).parseArgs("127.0.0.1");
    StringWriter err = new StringWriter();
    int code = cmd.run(Scanner.Unavailable.INSTANCE, new PrintWriter(new StringWriter()),
        new PrintWriter(err));
    assertEquals(1, code);
    assertTrue(err.toString().startsWith("error: scanning is not available"), err.toString());
  }

  @Test
  void theLineCodecIsRefusedAsABadArgumentBeforeAnythingIsProbed() {
    ScanCommand cmd = new ScanCommand();
    CommandLine line = new CommandLine(cmd);
    StringWriter err = new StringWriter();
    line.setErr(new PrintWriter(err));
    line.parseArgs("127.0.0.1", "--codec", "line");
    int code = cmd.run(scripted, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    assertEquals(2, code);
    assertTrue(err.toString().startsWith("scan: --codec line cannot be scanned"), err.toString());
    assertEquals(null, asked.get());
  }
}
