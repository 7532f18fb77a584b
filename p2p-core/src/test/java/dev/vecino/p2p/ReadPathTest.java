package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecino.p2p.codec.FrameType;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The node's read path: frames cut at any point across reads, and a HELLO with data right behind it. */
@Timeout(60)
class ReadPathTest {

  private static byte[] frame(FrameType type, byte[] body) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(b);
    d.writeInt(body.length + 1);
    d.writeByte(type.code());
    d.write(body);
    return b.toByteArray();
  }

  @Test
  void acceptsALargeFrameInTheSameWriteAsTheHello() throws Exception {
    Recorder r = new Recorder();
    try (PeerNode node = Nodes.startPlain("node", r); RawPeer raw = RawPeer.connect(node.localAddress())) {
      raw.readFrame();
      byte[] big = new byte[100_000];
      new Random(1).nextBytes(big);
      ByteArrayOutputStream both = new ByteArrayOutputStream();
      both.write(frame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "eager", "vecino")));
      both.write(frame(FrameType.BINARY, big));
      raw.sendRaw(both.toByteArray());
      Await.until("big message", () -> r.messages.size() == 1);
      assertArrayEquals(big, r.messages.get(0).bytes());
    }
  }

  @Test
  void reassemblesFramesCutAtRandomPoints() throws Exception {
    Random random = new Random(42);
    Recorder r = new Recorder();
    List<byte[]> bodies = new ArrayList<>();
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    for (int i = 0; i < 2000; i++) {
      int size = random.nextInt(10) == 0 ? random.nextInt(300_000) : random.nextInt(200);
      byte[] body = new byte[size];
      random.nextBytes(body);
      bodies.add(body);
      stream.write(frame(FrameType.BINARY, body));
    }
    byte[] all = stream.toByteArray();
    try (PeerNode node = Nodes.startPlain("node", r); RawPeer raw = RawPeer.connect(node.localAddress())) {
      raw.readFrame();
      raw.sendFrame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "choppy", "vecino"));
      raw.socket.setTcpNoDelay(true);
      int pos = 0;
      while (pos < all.length) {
        int n = Math.min(all.length - pos, random.nextInt(4) == 0 ? 1 + random.nextInt(8) : 1 + random.nextInt(100_000));
        raw.out.write(all, pos, n);
        raw.out.flush();
        pos += n;
      }
      Await.until("all frames", java.time.Duration.ofSeconds(30), () -> r.messages.size() == bodies.size());
      for (int i = 0; i < bodies.size(); i++) {
        assertArrayEquals(bodies.get(i), r.messages.get(i).bytes(), "frame " + i);
      }
      assertEquals(1, node.peers().size());
    }
  }
}
