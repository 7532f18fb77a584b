package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.codec.FrameType;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Admission of inbound connections by remote address: the per-address limit, the reserve at
 * the end of {@code maxConnections}, and fairness among addresses for pending-handshake slots.
 * Clients are raw sockets bound to addresses in 127.0.3.0/24.
 */
@Timeout(60)
class AdmissionTest {

  /** A raw client bound to a chosen loopback address: HELLO read, HELLO sent, or refused. */
  private static final class Client implements Closeable {
    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;

    Client(String from, InetSocketAddress to) throws IOException {
      socket = new Socket();
      socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
      socket.connect(to, 5000);
      socket.setSoTimeout(5000);
      in = new DataInputStream(socket.getInputStream());
      out = new DataOutputStream(socket.getOutputStream());
    }

    /** Reads the node's first frame: true for its HELLO, false if it closed the connection instead. */
    boolean admitted() throws IOException {
      try {
        int length = in.readInt();
        byte[] frame = new byte[length];
        in.readFully(frame);
        return frame[0] == FrameType.HELLO.code();
      } catch (EOFException | SocketException e) {
        return false;
      }
    }

    /** Completes the handshake under a random id (a sybil's). */
    void hello() throws IOException {
      byte[] hello = RawPeer.hello(PeerId.random(), "sybil", PeerNode.DEFAULT_GROUP);
      out.writeInt(hello.length + 1);
      out.writeByte(FrameType.HELLO.code());
      out.write(hello);
      out.flush();
    }

    /** Returns true once the node closes the connection (EOF or reset) within the timeout. */
    boolean closedByNode() throws IOException {
      byte[] buf = new byte[4096];
      try {
        while (in.read(buf) >= 0) {
          // Skip whatever comes before the end.
        }
        return true;
      } catch (SocketException e) {
        return true;
      } catch (SocketTimeoutException e) {
        return false;
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private final List<Client> clients = new ArrayList<>();

  private Client client(String from, PeerNode to) throws IOException {
    Client c = new Client(from, to.localAddress());
    clients.add(c);
    return c;
  }

  /** A client that completed its handshake: the node counts it as a peer. */
  private Client sybil(String from, PeerNode to) throws IOException {
    Client c = client(from, to);
    assertTrue(c.admitted(), "admitted from " + from);
    c.hello();
    return c;
  }

  private void closeClients() throws IOException {
    for (Client c : clients) {
      c.close();
    }
    clients.clear();
  }

  private static PeerNodeBuilder node() {
    return Nodes.plain("node").bindAddress("127.0.3.1").handshakeTimeout(Duration.ofSeconds(30))
        .heartbeatInterval(Duration.ZERO);
  }

  @Test
  void refusesInboundConnectionsPastThePerAddressLimit() throws Exception {
    try (PeerNode node = node().maxConnectionsPerAddress(3).build().start()) {
      try {
        for (int i = 0; i < 2; i++) {
          sybil("127.0.3.21", node);
        }
        Client handshaking = client("127.0.3.21", node);
        assertTrue(handshaking.admitted(), "a handshaking connection is the third");
        Await.until("two peers", () -> node.peers().size() == 2);
        assertTrue(!client("127.0.3.21", node).admitted(), "the fourth from one address is refused before the HELLO");
        assertEquals(1, node.stats().rejected(Kind.LIMIT_EXCEEDED));
        assertTrue(client("127.0.3.22", node).admitted(), "another address is not affected");

        handshaking.close();
        Await.until("the closed one no longer counts", () -> node.stats().handshaking() == 1);
        assertTrue(client("127.0.3.21", node).admitted(), "a freed place is taken again");
      } finally {
        closeClients();
      }
    }
  }

  @Test
  void oneMachinesSixtyFourLocalNodesGetInByDefault() throws Exception {
    try (PeerNode node = node().build().start()) {
      try {
        for (int i = 0; i < 64; i++) {
          sybil("127.0.3.25", node);
        }
        Await.until("64 peers from one address", () -> node.peers().size() == 64);
        assertTrue(!client("127.0.3.25", node).admitted(), "the 65th is refused");
      } finally {
        closeClients();
      }
    }
  }

  @Test
  void keepsTheLastQuarterForAddressesHoldingFewConnections() throws Exception {
    // 8 connections: the last 2 only for addresses holding fewer than 4.
    try (PeerNode node = node().maxConnections(8).build().start()) {
      try {
        for (int i = 0; i < 6; i++) {
          sybil("127.0.3.31", node);
        }
        Await.until("six sybils", () -> node.peers().size() == 6);
        assertTrue(!client("127.0.3.31", node).admitted(), "the sybils' address holds 6: not in the reserve");
        sybil("127.0.3.32", node);
        sybil("127.0.3.32", node);
        Await.until("two newcomers in the reserve", () -> node.peers().size() == 8);
        assertTrue(!client("127.0.3.33", node).admitted(), "full is full");
        assertEquals(2, node.stats().rejected(Kind.LIMIT_EXCEEDED));
      } finally {
        closeClients();
      }
    }
  }

  @Test
  void aNewcomerTakesThePendingSlotOfTheHeaviestAddresssOldestConnection() throws Exception {
    try (PeerNode node = node().maxPendingHandshakes(4, 3).build().start()) {
      try {
        Client oldest = client("127.0.3.41", node);
        assertTrue(oldest.admitted());
        Client second = client("127.0.3.41", node);
        assertTrue(second.admitted());
        Client third = client("127.0.3.41", node);
        assertTrue(third.admitted());
        Client other = client("127.0.3.42", node);
        assertTrue(other.admitted());

        Client newcomer = client("127.0.3.43", node);
        assertTrue(newcomer.admitted(), "a newcomer from a new address gets in at the pending limit");
        assertTrue(oldest.closedByNode(), "the heaviest address's oldest pending connection made room");
        assertEquals(1, node.stats().rejected(Kind.LIMIT_EXCEEDED));

        Client again = client("127.0.3.42", node);
        assertTrue(again.admitted(), "1 pending < 2 pending of the heaviest: evicts again");
        assertTrue(second.closedByNode());
        assertTrue(!client("127.0.3.42", node).admitted(), "now the heaviest itself: refused, nothing evicted");
        assertEquals(3, node.stats().rejected(Kind.LIMIT_EXCEEDED));

        // The survivors were never touched: they complete their handshakes.
        for (Client c : List.of(third, other, newcomer, again)) {
          c.hello();
        }
        Await.until("four peers", () -> node.peers().size() == 4);
        assertEquals(0, node.stats().handshaking());
      } finally {
        closeClients();
      }
    }
  }

  @Test
  void countsStayExactUnderEvictionsAcrossIoThreads() throws Exception {
    // Accepts on one I/O thread, handshakes ending on three others, evictions racing with
    // completed handshakes: afterwards every slot must be free again.
    try (PeerNode node = node().ioThreads(4).maxPendingHandshakes(8, 4).maxConnectionsPerAddress(4)
        .maxConnections(32).build().start()) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      try {
        for (int i = 0; i < 300; i++) {
          Client c = client("127.0.3." + (100 + random.nextInt(12)), node);
          if (random.nextBoolean() && c.admitted()) {
            c.hello();
          }
          if (clients.size() > 24) {
            clients.remove(random.nextInt(clients.size())).close();
          }
        }
        assertTrue(node.stats().rejected(Kind.LIMIT_EXCEEDED) > 0, "the limits were hit: " + node.stats());
      } finally {
        closeClients();
      }
      Await.until("every connection gone", () -> node.stats().connections() == 0 && node.stats().handshaking() == 0,
          () -> node.stats(), Duration.ofSeconds(10));
      for (int i = 0; i < 4; i++) {
        assertTrue(client("127.0.3.100", node).admitted(), "per-address count back to zero");
      }
      closeClients();
    }
  }

  @Test
  void aConnectRefusedBeforeTheHelloSaysSo() throws Exception {
    try (PeerNode node = node().maxConnectionsPerAddress(1).build().start();
         PeerNode first = Nodes.plain("first").bindAddress("127.0.3.61").build().start();
         PeerNode second = Nodes.plain("second").bindAddress("127.0.3.61").build().start()) {
      first.connect(node.localAddress()).get(5, TimeUnit.SECONDS);
      Throwable e = assertThrows(ExecutionException.class,
          () -> second.connect(node.localAddress()).get(5, TimeUnit.SECONDS)).getCause();
      assertInstanceOf(PeerUnreachableException.class, e);
      assertTrue(e.getMessage().contains("closed before its HELLO, as a Vecino node at its connection limits does"),
          e.getMessage());
    }
  }

  @Test
  void rejectsAPerAddressLimitBelowOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PeerNode.builder().plaintext(true).maxConnectionsPerAddress(0).build());
    assertTrue(e.getMessage().contains("maxConnectionsPerAddress"), e.getMessage());
  }
}
