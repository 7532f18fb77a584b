package dev.vecino.p2p;

import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.Targets;
import dev.vecino.p2p.transport.NioTransport;
import dev.vecino.p2p.transport.Transport;
import dev.vecino.p2p.transport.TransportFactory;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A short run of three nodes, for {@link LogPrefixTest} in a child JVM that logs everything:
 * nodes connect, message each other, an I/O task and a listener throw, a node of another group and a stranger
 * that is no peer are refused, a scan runs, a peer disconnects, and the nodes close. Prints
 * each node's log name ({@code NODE <name>/<short id>}) on stdout; the log goes to stderr.
 */
public final class LogScenario {
  private LogScenario() {}

  private static PeerNodeBuilder local(String name) {
    return PeerNode.builder().name(name).bindAddress("127.0.0.1").port(0)
        .handshakeTimeout(Duration.ofMillis(500)).closeTimeout(Duration.ofSeconds(1));
  }

  public static void main(String[] args) throws Exception {
    CountDownLatch received = new CountDownLatch(4);
    PeerListener throwing = new PeerListener() {
      @Override
      public void onMessage(Message message) {
        received.countDown();
        if (message.text().equals("boom")) {
          throw new IllegalStateException("a listener that throws, on purpose");
        }
      }
    };
    // Ana's transport runs one task that throws: the I/O loop logs it and goes on.
    TransportFactory faultyOnce = config -> {
      Transport t = NioTransport.factory().create(config);
      t.nextEventLoop().execute(() -> {
        throw new IllegalStateException("an I/O task that throws, on purpose");
      });
      return t;
    };
    try (PeerNode ana = local("ana").jmx(true).ioThreads(2).transport(faultyOnce).build().start();
         PeerNode bob = local("bob").listener(throwing).build().start();
         PeerNode carl = local("carl").group("other").build().start()) {
      for (PeerNode n : new PeerNode[] {ana, bob, carl}) {
        System.out.println("NODE " + n.identity().name() + "/" + n.identity().id().shortId());
      }
      Peer b = ana.connect(bob.localAddress()).join();
      for (String text : new String[] {"hola", "qué tal", "boom", "adiós"}) {
        ana.send(b, text).join();
      }
      if (!received.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("bob did not receive the messages");
      }
      try {
        carl.connect(bob.localAddress()).join();
        throw new AssertionError("a node of another group was accepted");
      } catch (CompletionException expected) {
        // Refused as it should be: the lines about it are what the test reads.
      }
      try (Socket stranger = new Socket("127.0.0.1", bob.localAddress().getPort())) {
        OutputStream out = stranger.getOutputStream();
        out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        // Bob refuses it (not a peer) and closes: read to the end, bounded by the handshake timeout.
        stranger.setSoTimeout(5000);
        while (stranger.getInputStream().read() >= 0) {
          // Discard what bob answers.
        }
      }
      ana.scan(Targets.parse("127.0.0.1"), Ports.of(bob.localAddress().getPort(), carl.localAddress().getPort()))
          .report().join();
      ana.disconnect(b, "ana is done").join();
    }
    System.out.println("DONE");
  }
}
