package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Await;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import dev.vecino.p2p.Recorder;
import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.embedded.EmbeddedChannel;
import dev.vecino.p2p.embedded.Frames;
import dev.vecino.p2p.embedded.ManualTransport;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.Targets;
import dev.vecino.p2p.transport.ChannelHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The byte-transform seam (issue 15): a node's byte stages sit between the transport and every
 * connection, and no byte the node writes or reads bypasses them, whatever wrote it: the
 * codec's opening bytes, HELLO, messages (sent, tried, corked and flushed), PONG, heartbeat and
 * check PINGs, BYE and the half-close. A counting pass-through stage proves it: what crossed
 * the stage equals what the transport's channel saw.
 */
@Timeout(30)
class ByteStageTest {

  private final ManualTransport transport = new ManualTransport();
  private final Recorder recorder = new Recorder();
  private final List<CountingStage> stages = new CopyOnWriteArrayList<>();

  private PeerNode node(UnaryOperator<PeerNodeBuilder> options) {
    PeerNodeBuilder b = PeerNode.builder().plaintext(true).name("staged").bindAddress("127.0.0.1").transport(transport)
        .directCallbacks(true).closeTimeout(Duration.ZERO).listener(recorder);
    ByteStage.Factory counting = up -> {
      CountingStage s = new CountingStage(up);
      stages.add(s);
      return s;
    };
    return StagedNodes.build(options.apply(b), List.of(counting)).start();
  }

  /** Every byte the node wrote on {@code ch} crossed its stage, as did every byte fed, and the half-close. */
  private static void assertEverythingCrossedTheStage(EmbeddedChannel ch, long fed) {
    CountingStage s = assertInstanceOf(CountingStage.class, ch.handler, "the transport talks to the stage");
    assertEquals(ch.written().length, s.written.get(), "bytes written by the node, and bytes that crossed its stage");
    assertEquals(fed, s.read.get(), "bytes read");
    assertEquals(ch.outputShut ? 1 : 0, s.shutdowns.get(), "half-closes");
  }

  private static boolean hasPing(EmbeddedChannel ch, int bodyLength) {
    return Frames.parse(ch.written()).stream().anyMatch(f -> f.type() == FrameType.PING && f.body().length == bodyLength);
  }

  @Test
  void everyWriteAndReadOfAFramedConnectionCrossesTheStage() {
    PeerNode node = node(b -> b.heartbeatInterval(Duration.ofSeconds(1)));
    EmbeddedChannel ch = transport.accept();
    assertNotNull(ch);
    PeerId id = PeerId.random();
    byte[] in = Frames.concat(Frames.hello(id, "peer", PeerNode.DEFAULT_GROUP),
        Frames.frame(FrameType.PING, new byte[] {1, 2}), Frames.text("hi"));
    ch.feed(in);
    Peer p = node.peers().get(0);
    assertEquals(List.of("hi"), recorder.texts());
    CompletableFuture<Void> sent = node.send(p, "one");
    node.trySend(p, new byte[100]);
    node.trySendMore(p, MessageKind.BINARY, new byte[10], 0, 10);
    node.flush(p);
    transport.runTasks();
    assertTrue(sent.isDone());
    // A heartbeat PING (empty body), on the I/O thread's timer.
    transport.fireTimers();
    assertTrue(hasPing(ch, 0), "heartbeat PING");
    // A newcomer with the peer's id, inbound as the first: a check of the first one, whose
    // PING carries an 8-byte nonce and is written at once.
    EmbeddedChannel newcomer = transport.accept();
    byte[] newcomerHello = Frames.hello(id, "peer", PeerNode.DEFAULT_GROUP);
    newcomer.feed(newcomerHello);
    transport.runTasks();
    assertTrue(hasPing(ch, 8), "check PING");
    node.disconnect(p);
    transport.runTasks();
    assertEquals(List.of(FrameType.HELLO, FrameType.PONG, FrameType.TEXT, FrameType.BINARY, FrameType.BINARY,
        FrameType.PING, FrameType.PING, FrameType.BYE), Frames.types(ch.written()));
    assertTrue(ch.outputShut, "half-closed after the BYE");
    ch.remoteClose();
    newcomer.remoteClose();
    node.close();
    assertEverythingCrossedTheStage(ch, in.length);
    assertEverythingCrossedTheStage(newcomer, newcomerHello.length);
    assertEquals(2, stages.size(), "one stage per connection");
  }

  @Test
  void theClassicGreetingAndAFlushingCloseCrossTheStage() {
    PeerNode node = node(b -> b.codec(Codec.classic()));
    EmbeddedChannel ch = transport.accept();
    assertEquals("staged", new String(ch.written(), StandardCharsets.UTF_8), "the greeting, written on open");
    byte[] in = "hola".getBytes(StandardCharsets.UTF_8);
    ch.feed(in);
    Peer p = node.peers().get(0);
    node.send(p, "adiós");
    node.disconnect(p);
    transport.runTasks();
    assertEquals("stagedadiós", new String(ch.written(), StandardCharsets.UTF_8));
    assertTrue(ch.outputShut, "the queue flushed, then the output shut");
    ch.remoteClose();
    node.close();
    assertEverythingCrossedTheStage(ch, in.length);
  }

  @Test
  void anOutboundConnectionAndAScanProbeCrossTheStage() throws Exception {
    PeerNode node = node(b -> b);
    CompletableFuture<Peer> connected = node.connect("127.0.0.1", 9);
    EmbeddedChannel out = transport.completeConnect();
    byte[] hello = Frames.hello(PeerId.random(), "acceptor", PeerNode.DEFAULT_GROUP);
    out.feed(hello);
    assertTrue(connected.isDone() && !connected.isCompletedExceptionally(), connected.toString());
    assertEquals(List.of(FrameType.HELLO), Frames.types(out.written()), "the initiator's HELLO answers");

    List<String> found = new CopyOnWriteArrayList<>();
    var scan = node.scan(Targets.parse("127.0.0.1"), Ports.of(10), ScanOptions.builder().autoConnect(false).build());
    transport.runTasks();
    EmbeddedChannel probe = transport.completeConnect();
    ChannelHandler first = probe.handler;
    byte[] probed = Frames.hello(PeerId.random(), "found", PeerNode.DEFAULT_GROUP);
    probe.feed(probed);
    assertEquals(List.of(FrameType.BYE), Frames.types(probe.written()), "a probe not kept says BYE");
    probe.remoteClose();
    transport.fireTimers();
    scan.report().thenAccept(r -> r.peers().forEach(x -> found.add(x.name())));
    transport.runTasks();
    assertEquals(List.of("found"), found);
    out.remoteClose();
    node.close();
    assertSame(first, probe.handler);
    assertEverythingCrossedTheStage(out, hello.length);
    assertEverythingCrossedTheStage(probe, probed.length);
  }

  /**
   * Over loopback sockets, with senders writing inline from their own thread: every byte a
   * staged node writes and reads crosses its stage (the plain node reads exactly what the
   * stage wrote), and every message arrives.
   */
  @Test
  void aStagedNodeTalksToAPlainOneOverLoopback() throws Exception {
    Recorder got = new Recorder();
    ByteStage.Factory counting = up -> {
      CountingStage s = new CountingStage(up);
      stages.add(s);
      return s;
    };
    try (PeerNode staged = StagedNodes.build(PeerNode.builder().plaintext(true).name("staged").bindAddress("127.0.0.1")
            .heartbeatInterval(Duration.ZERO), List.of(counting)).start();
         PeerNode plain = PeerNode.builder().plaintext(true).name("plain").bindAddress("127.0.0.1").heartbeatInterval(Duration.ZERO)
            .listener(got).build().start()) {
      Peer p = staged.connect(plain.localAddress()).get(5, TimeUnit.SECONDS);
      int n = 2000;
      CompletableFuture<Void> last = null;
      for (int i = 0; i < n; i++) {
        last = staged.send(p, "message " + i);
      }
      last.get(5, TimeUnit.SECONDS);
      Await.until("the plain node registered the staged one", () -> plain.peers().size() == 1);
      plain.send(plain.peers().get(0), "back").get(5, TimeUnit.SECONDS);
      CountingStage s = stages.get(0);
      Await.until("every message read", () -> got.messages.size() == n);
      Await.until("the plain node read what crossed the stage",
          () -> plain.stats().bytesIn() == s.written.get() && staged.stats().bytesIn() == s.read.get());
      assertEquals("message " + (n - 1), got.messages.get(n - 1).text());
      assertEquals(1, stages.size());
    }
  }
}
