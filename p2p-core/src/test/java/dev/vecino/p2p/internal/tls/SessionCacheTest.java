package dev.vecino.p2p.internal.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Nodes never resume TLS sessions, so a node's context keeps at most one: otherwise every
 * handshake leaves sessions in the JDK's cache (the initiator keeps the two tickets a TLS 1.3
 * acceptor sends; 20,480 for 24 hours by default, over 1 KiB each), memory a peer fills by being
 * connected to and left: +30 MiB of heap after 10,000 connect/close cycles (BoundChurnAttackIT).
 */
@Timeout(60)
class SessionCacheTest {

  @Test
  void handshakesLeaveNoSessionInEitherCache() throws Exception {
    NodeTls server = NodeTls.create(NodeTlsTest.p256());
    NodeTls client = NodeTls.create(NodeTlsTest.p256());
    for (int i = 0; i < 20; i++) {
      EngineLoop loop = new EngineLoop(client.clientEngine(), server.serverEngine()).run();
      assertNull(loop.client().failure());
    }
    assertTrue(Collections.list(server.context().getServerSessionContext().getIds()).size() <= 1,
        "sessions the acceptor's context keeps");
    assertTrue(Collections.list(client.context().getClientSessionContext().getIds()).size() <= 1,
        "sessions the initiator's context keeps");
  }

  @Test
  void theAcceptorSendsNoSessionTicket() throws Exception {
    NodeTls server = NodeTls.create(NodeTlsTest.p256());
    NodeTls client = NodeTls.create(NodeTlsTest.p256());
    long without = acceptorBytes(client, server);
    // The JDK's default session lifetime (24 h): the acceptor sends a ticket after each handshake.
    server.context().getServerSessionContext().setSessionTimeout(86_400);
    long with = acceptorBytes(client, server);
    assertTrue(with - without > 500, () -> "acceptor bytes with a ticket " + with + ", without " + without);
  }

  /** The bytes the acceptor sends in a handshake, after which application data flows. */
  private static long acceptorBytes(NodeTls client, NodeTls server) throws Exception {
    EngineLoop loop = new EngineLoop(client.clientEngine(), server.serverEngine()).run();
    assertTrue(loop.handshaken(), () -> "client: " + loop.client().failure() + ", server: " + loop.server().failure());
    loop.client().send("hola");
    assertEquals("hola", loop.server().received());
    return loop.server().produced();
  }
}
