package dev.vecino.p2p;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.ScanResult;
import dev.vecino.p2p.scan.Targets;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node that meets another protocol says what it met, on real loopback sockets: an SSH or
 * TLS server where a Vecino node was expected, and a framed Vecino node where a classic or
 * line peer was expected (refused, never named after its HELLO's bytes).
 */
@Timeout(60)
class WrongProtocolTest {

  /** Connects {@code node} to a server that greets with {@code greeting}; returns the failure. */
  private static NotAPeerException connectToService(PeerNode node, byte[] greeting) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Peer> f = node.connect((InetSocketAddress) server.getLocalSocketAddress());
      try (Socket s = server.accept()) {
        s.getOutputStream().write(greeting);
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
        assertEquals(-1, s.getInputStream().read(), "the node closed without a word");
        return assertInstanceOf(NotAPeerException.class, e.getCause());
      }
    }
  }

  @Test
  void framedNodeSaysAnSshServerLooksLikeSsh() throws Exception {
    try (PeerNode ana = Nodes.local("ana").build().start()) {
      NotAPeerException e = connectToService(ana, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".getBytes(US_ASCII));
      assertTrue(e.getMessage().contains("frame length 1397966893 exceeds the limit of 16777216 bytes; "
          + "looks like an SSH banner (SSH-2.0-OpenSSH_9.2p1 Debian-2)"), e.getMessage());
    }
  }

  @Test
  void framedNodeWithTheLargestFrameLimitStillNamesTlsBytes() throws Exception {
    // 0x16030300 = 369 MB is under a 1 GiB limit: the handshake's HELLO bound refuses it instead.
    try (PeerNode ana = Nodes.local("ana").maxFrameSize(1 << 30).build().start()) {
      NotAPeerException e = connectToService(ana, HexFormat.of().parseHex("160303005a0200005603036a"));
      assertTrue(e.getMessage().contains("first frame declares 369296132 bytes, more than a HELLO; "
          + "looks like a TLS handshake"), e.getMessage());
    }
  }

  @Test
  void framedNodeSaysAClassicGreetingLooksLikeText() throws Exception {
    try (PeerNode classic = Nodes.local("classic-ana").codec(Codec.classic()).build().start();
         PeerNode bob = Nodes.local("bob").build().start()) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> bob.connect(classic.localAddress()).get(5, TimeUnit.SECONDS));
      assertInstanceOf(NotAPeerException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("looks like a line of text (classic-ana)"), e.getMessage());
    }
  }

  @Test
  void classicNodeRefusesAFramedNodeInsteadOfNamingItAfterItsHello() throws Exception {
    Recorder events = new Recorder();
    try (PeerNode framed = Nodes.local("framed").build().start();
         PeerNode ana = Nodes.local("ana").codec(Codec.classic()).listener(events).build().start();
         PeerNode bob = Nodes.local("bob").codec(Codec.classic()).build().start()) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> ana.connect(framed.localAddress()).get(5, TimeUnit.SECONDS));
      assertInstanceOf(NotAPeerException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains(
          "a framed Vecino node, not a classic peer (it sent a framed HELLO); use the framed codec"),
          e.getCause().getMessage());
      assertEquals(List.of(), ana.peers());
      assertEquals(1L, ana.stats().rejected(Kind.NOT_A_PEER));
      Await.until("the framed node lets go too", () -> framed.stats().handshaking() == 0);
      assertEquals(List.of(), framed.peers());

      // Classic peers still meet as before.
      Peer p = ana.connect(bob.localAddress()).get(5, TimeUnit.SECONDS);
      assertEquals("bob", p.name());
      assertEquals(List.of(p), events.connected, "only bob was ever announced");
    }
  }

  @Test
  void lineNodeRefusesAFramedNodeToo() throws Exception {
    try (PeerNode framed = Nodes.local("framed").build().start();
         PeerNode ana = Nodes.local("ana").codec(Codec.line()).build().start()) {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> ana.connect(framed.localAddress()).get(5, TimeUnit.SECONDS));
      assertTrue(e.getCause().getMessage().contains("a framed Vecino node, not a line peer"),
          e.getCause().getMessage());
      assertEquals(List.of(), ana.peers());
    }
  }

  @Test
  void classicScanReportsAFramedNodeAsNotAPeer() throws Exception {
    try (PeerNode framed = Nodes.local("framed").build().start();
         PeerNode scanner = Nodes.local("scanner").codec(Codec.classic()).build().start()) {
      ScanReport r = scanner.scan(Targets.parse("127.0.0.1"), Ports.of(framed.localAddress().getPort()),
          ScanOptions.builder().timeout(Duration.ofMillis(500)).build()).report().get(10, TimeUnit.SECONDS);
      assertEquals(List.of(), r.peers(), r.toString());
      assertEquals(List.of(framed.localAddress()), r.notPeers().stream().map(ScanResult::address).toList(),
          r.toString());
      assertEquals(List.of(), scanner.peers());
    }
  }
}
