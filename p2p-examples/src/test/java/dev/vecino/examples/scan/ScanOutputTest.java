package dev.vecino.examples.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecino.examples.scan.Scanner.Found;
import dev.vecino.examples.scan.Scanner.Kind;
import dev.vecino.examples.scan.Scanner.Outcome;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.Targets;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Scan lines and summaries; the count of the scanning node's own answers. Nothing is probed. */
class ScanOutputTest {

  private static final Found ANA = new Found(Kind.PEER, new InetSocketAddress("127.0.0.2", 9999),
      "ana", "3f9a1c2e" + "0".repeat(24), "vecino", 312);

  @Test
  void aPeerWithAnAliasIsListedUnderItsAliasAndName() {
    assertEquals("127.0.0.2:9999  ana  3f9a1c2e  rtt 0.3 ms", ScanOutput.text(ANA));
    assertEquals("127.0.0.2:9999  anita (ana)  3f9a1c2e  rtt 0.3 ms", ScanOutput.text(ANA, "anita"));
    assertEquals("127.0.0.2:9999  a\\u202en (ana)  3f9a1c2e  rtt 0.3 ms",
        ScanOutput.text(ANA, "a\u202En"), "an alias is escaped like a name");
  }

  @Test
  void theSummarySaysWhichOpenPortsAreListedNowhereAndWhy() {
    assertEquals("scan done in 5 ms: 8 probed, 1 open, 1 peer",
        ScanOutput.summaryText(new Outcome(List.of(ANA), 8, 1, 0, Duration.ofMillis(5), false)));
    assertEquals("scan done in 5 ms: 8 probed, 1 open, 1 peer",
        ScanOutput.summaryText(new Outcome(List.of(ANA), 8, 2, 1, Duration.ofMillis(5), false)),
        "the scanning node's own listener is not counted as open");
    assertEquals("scan done in 5 ms: 8 probed, 6 open (5 more addresses of the nodes listed), 1 peer",
        ScanOutput.summaryText(new Outcome(List.of(ANA), 8, 8, 2, Duration.ofMillis(5), false)));
    Found web = new Found(Kind.NOT_PEER, new InetSocketAddress("127.0.0.3", 80), null, null, null, -1);
    assertEquals("scan cancelled after 5 ms: 8 probed, 2 open (1 more address of the nodes listed), 0 peers",
        ScanOutput.summaryText(new Outcome(List.of(web), 8, 2, Duration.ofMillis(5), true)));
  }

  @Test
  void theNodeItselfIsCountedOnItsOwnPortAndAddress() {
    Targets four = Targets.parse("127.0.0.1-4");
    InetSocketAddress bound = new InetSocketAddress("127.0.0.1", 9999);
    assertEquals(1, CoreScanner.selfCandidates(four, Ports.parse("9998-9999"), bound));
    assertEquals(0, CoreScanner.selfCandidates(four, Ports.of(9998), bound), "another port");
    assertEquals(0, CoreScanner.selfCandidates(Targets.parse("127.0.0.2-4"), Ports.of(9999), bound));
    InetSocketAddress wildcard = new InetSocketAddress("0.0.0.0", 9999);
    assertEquals(4, CoreScanner.selfCandidates(four, Ports.of(9999), wildcard),
        "bound to every address: every loopback address is this node");
  }

  @Test
  void resultsAreSortedByAddressAndPort() {
    Found b = new Found(Kind.NOT_PEER, new InetSocketAddress("127.0.0.10", 80), null, null, null, -1);
    Found c = new Found(Kind.NOT_PEER, new InetSocketAddress("127.0.0.9", 81), null, null, null, -1);
    Found d = new Found(Kind.NOT_PEER, new InetSocketAddress("127.0.0.9", 80), null, null, null, -1);
    assertEquals(List.of(ANA, d, c, b), ScanOutput.sorted(List.of(b, ANA, c, d)));
  }

  @Test
  void theRoundTripIsInMillisecondsWithOneDecimal() {
    assertEquals("0.3", ScanOutput.millis(312));
    assertEquals("12.5", ScanOutput.millis(12_490));
  }

  @Test
  void targetsTooBigForOneScanAreRefusedInTheConsolesWords() {
    try (dev.vecino.p2p.PeerNode node = dev.vecino.p2p.PeerNode.builder().listen(false).build().start()) {
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> CoreScanner.INSTANCE.start(node, new Scanner.Request("127.61.0.1/8", "9999",
              Duration.ofMillis(100), false), (d, t, p) -> { }));
      assertEquals("'127.61.0.1/8' holds " + Targets.parse("127.61.0.1/8").size() + " addresses, more than"
          + " the 65536 one scan may cover: scan a smaller range (e.g. a /16 or a /24)", e.getMessage());
    }
  }

  @Test
  void aNodeThatDidNotAdmitUsIsNamedNeverNotAPeer() {
    Found locked = new Found(Kind.NOT_ADMITTED, new InetSocketAddress("127.0.0.4", 9999), null, null, null, -1);
    assertEquals("127.0.0.4:9999  a Vecino node that did not admit us (group secret / allowlist / pairing)",
        ScanOutput.text(locked));
    assertEquals("{\"type\":\"not-admitted\",\"address\":\"127.0.0.4\",\"port\":9999}", ScanOutput.json(locked));
    Found old = new Found(Kind.INCOMPATIBLE, new InetSocketAddress("127.0.0.5", 9999), null, null, null, -1);
    assertEquals("127.0.0.5:9999  a Vecino node with no common protocol version (one side plaintext or older: "
        + "see --plaintext)", ScanOutput.text(old));
    assertEquals("{\"type\":\"incompatible\",\"address\":\"127.0.0.5\",\"port\":9999}", ScanOutput.json(old));
    assertEquals(Kind.NOT_ADMITTED, CoreScanner.kindOf(dev.vecino.p2p.scan.ScanStatus.NOT_ADMITTED));
    assertEquals(Kind.INCOMPATIBLE, CoreScanner.kindOf(dev.vecino.p2p.scan.ScanStatus.INCOMPATIBLE));
    assertEquals(Kind.NOT_PEER, CoreScanner.kindOf(dev.vecino.p2p.scan.ScanStatus.NOT_A_PEER));
  }
}
