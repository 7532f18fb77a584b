package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.codec.FrameType;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A peer past the handshake sends valid frames faster than the node can read them: 4 MiB of
 * PINGs written at the socket's speed, never reading, so the node works through a backlog,
 * while a friend keeps exchanging messages one at a time ({@link Shape}). In clear the PINGs
 * are empty, the smallest frame there is (5 bytes, 838,860 of them): each costs the node a
 * decode and a dispatch. Inside the tunnel the attacker either sends one record per byte
 * (records it made in advance, as a fast attacker would), each costing a decryption, or packs
 * the same 838,860 empty PINGs into 263 nearly full records. The friend's round trips go on between
 * the flooder's turns: a node decodes at most {@code ReadGate.FRAMES_PER_TURN} frames (and the
 * rest of one codec window), and a secure one unwraps at most {@code
 * TlsReadGate.RECORDS_PER_TURN} records, of one connection per loop turn. (Before those bounds
 * a turn took all that a pass read, 4 MiB, and the friend got 1 to 4 round trips, up to 620 ms
 * each, while the node drained the flood; 263 records, all unwrapped in one turn, held every
 * frame of it.)
 */
@Timeout(90)
class FloodFairnessTest {

  private static final int FLOOD_BYTES = 4 * 1024 * 1024;
  /** The PINGs' body inside the tunnel; in clear they are empty. */
  private static final int TLS_PING_BODY = 64;
  /**
   * The friend's round trips while the node drains the flood, whatever its shape: 47 to 548
   * measured on a loaded machine (docs/reliability.md section 8), 2 to 5 before the per-turn
   * bounds. A count, not a time: a loaded machine slows the drain and the friend alike.
   */
  private static final int MIN_ROUND_TRIPS = 25;

  /** What the flooder sends. */
  enum Shape {
    /** Empty PINGs in clear. */
    CLEAR(Wire.PLAINTEXT),
    /** 64-byte PINGs inside the tunnel, one record per byte: a decryption per byte. */
    BYTE_RECORDS(Wire.TLS),
    /** Empty PINGs inside the tunnel, in nearly full records (16,000 bytes): 263 hold all 838,860. */
    FULL_RECORDS(Wire.TLS);

    final Wire wire;

    Shape(Wire wire) {
      this.wire = wire;
    }
  }

  @ParameterizedTest
  @EnumSource(Shape.class)
  void aBacklogOfSmallFramesLeavesTheFriendATurn(Shape shape) throws Exception {
    Wire wire = shape.wire;
    BlockingQueue<String> echoes = new LinkedBlockingQueue<>();
    Recorder friendEvents = new Recorder();
    AtomicReference<PeerNode> self = new AtomicReference<>();
    try (PeerNode node = wire.node("node").onMessage(m -> {
          if (m.kind() == MessageKind.TEXT) {
            self.get().send(m.sender(), m.text());
          }
        }).build().start();
         PeerNode friend = wire.node("friend").listener(friendEvents).onMessage(m -> echoes.add(m.text()))
             .build().start()) {
      self.set(node);
      Peer atFriend = friend.connect(node.localAddress()).get(10, TimeUnit.SECONDS);
      Await.until("node sees friend", () -> node.peers().size() == 1);
      Flood flood = switch (shape) {
        case CLEAR -> Flood.plaintext(node.localAddress());
        case BYTE_RECORDS -> Flood.tls(node.localAddress(), TLS_PING_BODY, 1, "one record per byte");
        case FULL_RECORDS -> Flood.tls(node.localAddress(), 0, 16_000, "records of 16,000 bytes");
      };
      try (flood) {
        Await.until("flooder registered", () -> node.peers().size() == 2);
        Peer mallory = node.peers().stream().filter(p -> !p.id().equals(friend.identity().id())).findFirst()
            .orElseThrow();
        long total = mallory.snapshot().bytesIn() + flood.plaintextBytes;
        Thread writer = new Thread(flood::write, "test-flood");
        long start = System.nanoTime();
        writer.start();
        List<Long> roundTrips = new ArrayList<>();
        // Bounded: each round trip waits 10 s at most, and the flood is finite.
        for (int i = 0; mallory.snapshot().bytesIn() < total; i++) {
          long sent = System.nanoTime();
          friend.send(atFriend, "rt " + i);
          assertEquals("rt " + i, echoes.poll(10, TimeUnit.SECONDS), "the friend's round trip " + i);
          roundTrips.add(System.nanoTime() - sent);
        }
        long drained = System.nanoTime() - start;
        writer.join(10_000);
        assertNotNull(flood.done, "the flood was written");
        assertTrue(flood.done.isEmpty(), flood.done);
        System.out.printf("FLOOD FAIRNESS %s: %d PINGs of %d B in %d wire bytes (%s), read in %d ms; friend round "
            + "trips meanwhile %d, p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", shape, flood.pings, flood.body,
            flood.wire.length, flood.shape, TimeUnit.NANOSECONDS.toMillis(drained), roundTrips.size(),
            HostileFloodTest.percentile(roundTrips, 0.5) / 1e6, HostileFloodTest.percentile(roundTrips, 0.99) / 1e6,
            HostileFloodTest.percentile(roundTrips, 1.0) / 1e6);
        assertTrue(roundTrips.size() >= MIN_ROUND_TRIPS, "the friend's round trips while the node read the "
            + "flood: " + roundTrips.size());
        assertEquals(PeerState.CONNECTED, mallory.state(), "the flood was valid: the flooder is still a peer");
      }
      friend.send(atFriend, "after").get(5, TimeUnit.SECONDS);
      assertEquals("after", echoes.poll(10, TimeUnit.SECONDS));
      assertTrue(friendEvents.disconnects.isEmpty(), friendEvents.disconnects.toString());
    }
  }

  /** The flooder: connected and past the HELLO, its flood made in advance, written by {@link #write}. */
  private static class Flood implements Closeable {
    final Closeable socket;
    final OutputStream out;
    final byte[] wire;
    final int pings;
    final int body;
    final long plaintextBytes;
    final String shape;
    /** Empty once written, else why not; null while writing. */
    volatile String done;

    private Flood(Closeable socket, OutputStream out, byte[] wire, int pings, int body, String shape) {
      this.socket = socket;
      this.out = out;
      this.wire = wire;
      this.pings = pings;
      this.body = body;
      this.plaintextBytes = (long) pings * (5 + body);
      this.shape = shape;
    }

    private static byte[] pings(int n, int body) {
      byte[] frame = RecordPeer.frame(FrameType.PING, new byte[body]);
      ByteArrayOutputStream b = new ByteArrayOutputStream(n * frame.length);
      for (int i = 0; i < n; i++) {
        b.writeBytes(frame);
      }
      return b.toByteArray();
    }

    /** Frames in clear, from another address, never reading: empty PINGs filling {@link #FLOOD_BYTES}. */
    static Flood plaintext(InetSocketAddress node) throws Exception {
      Socket s = new Socket();
      s.setReceiveBufferSize(4096);
      s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.7"), 0));
      s.connect(node, 5_000);
      s.getOutputStream().write(RecordPeer.frame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "flooder",
          "vecino")));
      int n = FLOOD_BYTES / 5;
      return new Flood(s, s.getOutputStream(), pings(n, 0), n, 0, "frames in clear");
    }

    /**
     * PINGs of {@code body} bytes inside the tunnel, in records of {@code recordBytes}, wrapped
     * in advance. One record per byte: 2,642 PINGs of 64 bytes, 182,000 records, 7.1 MB on the
     * wire (39 bytes a record on JDK 17); nearly full records: 838,860 empty PINGs, 4 MiB in 263
     * records.
     */
    static Flood tls(InetSocketAddress node, int body, int recordBytes, String shape) throws Exception {
      RecordPeer peer = RecordPeer.connect(node, InetAddress.getByName("127.0.0.7"), 4096);
      try {
        peer.sendFrame(FrameType.HELLO, peer.hello("flooder", "vecino"));
        int n = recordBytes == 1 ? FLOOD_BYTES / ((5 + body) * 23) : FLOOD_BYTES / (5 + body);
        return new Flood(peer, null, peer.wrap(pings(n, body), recordBytes), n, body, shape) {
          @Override
          void send() throws Exception {
            peer.sendRaw(wire);
          }
        };
      } catch (Exception e) {
        peer.close();
        throw e;
      }
    }

    void send() throws Exception {
      out.write(wire);
      out.flush();
    }

    void write() {
      try {
        send();
        done = "";
      } catch (Exception e) {
        done = "the flood's write failed: " + e;
      }
    }

    @Override
    public void close() throws java.io.IOException {
      socket.close();
    }
  }
}
