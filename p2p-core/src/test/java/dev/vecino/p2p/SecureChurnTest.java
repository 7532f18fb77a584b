package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Secure connections opened and closed at once, many times: the HELLO and the BYE that follows
 * it often arrive in one read, and the BYE closes the connection while the TLS stage is still
 * handing up what it decrypted. Before the fix the stage then touched the buffers the close had
 * dropped: a NullPointerException on the acceptor's I/O thread, logged as "handler failed" for
 * most connections (found by the TLS handshake benchmark).
 */
@Timeout(120)
class SecureChurnTest {

  @Test
  void connectionsClosedRightAfterTheirHandshakeCloseCleanly() throws Exception {
    Recorder atServer = new Recorder();
    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int cycles = 60;
    try (PeerNode server = Nodes.local("server").listener(atServer).build().start();
         PeerNode client = Nodes.local("client").build().start()) {
      for (int i = 0; i < cycles; i++) {
        Peer p = client.connect(server.localAddress()).get(10, TimeUnit.SECONDS);
        client.disconnect(p).get(10, TimeUnit.SECONDS);
      }
      Await.until("the server saw every disconnect", () -> atServer.disconnects.size() == cycles);
    } finally {
      System.setErr(old);
    }
    String log = err.toString(StandardCharsets.UTF_8);
    assertFalse(log.contains("handler failed"), log.lines().limit(20).reduce("", (a, b) -> a + b + "\n"));
    assertEquals(cycles, atServer.disconnects.stream()
        .filter(d -> d.kind() == DisconnectReason.Kind.CLOSED_BY_PEER).count(), atServer.disconnects.toString());
  }
}
