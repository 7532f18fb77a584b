package dev.vecino.p2p.internal.tls;

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
}
