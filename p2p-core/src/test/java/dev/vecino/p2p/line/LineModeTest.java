package dev.vecino.p2p.line;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Await;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.codec.Codec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A person with {@code nc}: a plain socket client against a node in line mode. */
@Timeout(30)
class LineModeTest {

  private final List<Message> got = new CopyOnWriteArrayList<>();
  private final List<DisconnectReason> gone = new CopyOnWriteArrayList<>();

  private PeerNode node(int maxLine) {
    return PeerNode.builder().name("ana").bindAddress("127.0.0.1").codec(Codec.line(maxLine))
        .listener(new PeerListener() {
          @Override
          public void onMessage(Message m) {
            got.add(m);
          }

          @Override
          public void onDisconnected(Peer p, DisconnectReason r) {
            gone.add(r);
          }
        }).build().start();
  }

  private List<String> texts() {
    return got.stream().map(Message::text).toList();
  }

  @Test
  void chatsBothWaysWithAPlainSocket() throws Exception {
    try (PeerNode ana = node(1024); Socket nc = new Socket()) {
      nc.connect(ana.localAddress());
      OutputStream out = nc.getOutputStream();
      BufferedReader in = new BufferedReader(new InputStreamReader(nc.getInputStream(), UTF_8));
      out.write("hola desde nc\n".getBytes(UTF_8));
      Await.until("line arrives", () -> texts().equals(List.of("hola desde nc")));
      Peer p = got.get(0).sender();
      assertEquals(nc.getLocalSocketAddress(), p.remoteAddress(), "a line peer is its address");
      ana.send(p, "¿qué tal?").get(5, TimeUnit.SECONDS);
      assertEquals("¿qué tal?", in.readLine());
      ana.call(p, "ven").get(5, TimeUnit.SECONDS);
      assertEquals("\u0007ven", in.readLine(), "a call rings the terminal");
      assertThrows(IllegalArgumentException.class, () -> ana.send(p, "dos\nlíneas"));
    }
  }

  @Test
  void linesSplitAcrossWritesAndManyInOneWrite() throws Exception {
    try (PeerNode ana = node(1024); Socket nc = new Socket()) {
      nc.connect(ana.localAddress());
      nc.setTcpNoDelay(true);
      OutputStream out = nc.getOutputStream();
      byte[] accent = "canción\r\n".getBytes(UTF_8);
      out.write(accent, 0, 5); // inside "ó"
      out.flush();
      out.write(accent, 5, accent.length - 5);
      out.write("uno\ndos\r\n\ntres\n\u0007llama\n".getBytes(UTF_8));
      Await.until("all lines", () -> got.size() == 5, () -> texts());
      assertEquals(List.of("canción", "uno", "dos", "tres", "llama"), texts());
      assertEquals(MessageKind.CALL, got.get(4).kind());
    }
  }

  @Test
  void lineOverTheLimitClosesTheConnectionWithAReason() throws Exception {
    try (PeerNode ana = node(64); Socket nc = new Socket()) {
      nc.connect(ana.localAddress());
      OutputStream out = nc.getOutputStream();
      out.write("corta\n".getBytes(UTF_8));
      Await.until("first line", () -> got.size() == 1);
      out.write("x".repeat(100).getBytes(UTF_8)); // no newline: refused before it ends
      Await.until("closed", () -> gone.size() == 1);
      assertEquals(DisconnectReason.Kind.FRAME_TOO_LONG, gone.get(0).kind());
      assertTrue(gone.get(0).detail().contains("64"), gone.get(0).toString());
      assertEquals(-1, nc.getInputStream().read(), "the node closed the socket");
    }
  }

  @Test
  void nodeInLineModeConnectsOutToALineServer() throws Exception {
    try (PeerNode ana = node(1024); java.net.ServerSocket server = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      var future = ana.connect((java.net.InetSocketAddress) server.getLocalSocketAddress());
      try (Socket s = server.accept()) {
        Peer p = future.get(5, TimeUnit.SECONDS);
        ana.send(p, "saliente").get(5, TimeUnit.SECONDS);
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8));
        assertEquals("saliente", in.readLine());
        s.getOutputStream().write("entrante\n".getBytes(UTF_8));
        Await.until("answer", () -> texts().equals(List.of("entrante")));
      }
    }
  }

  @Test
  void announcedConnectionsDoNotHoldPendingHandshakeSlots() throws Exception {
    List<Socket> clients = new java.util.ArrayList<>();
    try (PeerNode ana = PeerNode.builder().name("ana").bindAddress("127.0.0.1").codec(Codec.line())
        .maxPendingHandshakes(4, 2).onMessage(got::add).build().start()) {
      for (int i = 0; i < 6; i++) {
        Socket nc = new Socket();
        clients.add(nc);
        nc.connect(ana.localAddress());
        nc.getOutputStream().write(("n" + i + "\n").getBytes(UTF_8));
        int n = i + 1;
        Await.until("line " + n, () -> got.size() == n);
      }
      assertEquals(6, ana.peers().size());
    } finally {
      for (Socket s : clients) {
        s.close();
      }
    }
  }
}
