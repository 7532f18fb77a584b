package dev.vecino.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.SendStatus;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code echo-server} and {@code echo-client} end to end. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoIT {

  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) ");

  @Test
  void clientMeasuresRoundTripsClosedAndOpenLoop() throws Exception {
    try (VecinoProcess server = VecinoProcess.start("echo-server", "echo-server",
        "--bind", "127.0.0.1", "--port", "0")) {
      Matcher m = LISTENING.matcher(server.awaitOut("echo server listening on"));
      m.find();
      String address = "127.0.0.1:" + m.group(1);
      try (VecinoProcess client = VecinoProcess.start("echo-client", "echo-client", address,
          "--count", "2000", "--size", "100")) {
        assertEquals(0, client.awaitExit(), client.dump());
        client.awaitOut("closed loop");
        client.awaitOut(l -> l.matches("rtt µs: p50 [\\d.]+  p90 [\\d.]+  p99 [\\d.]+  "
            + "p99\\.9 [\\d.]+  max [\\d.]+"));
        client.awaitOut(l -> l.matches("throughput: \\d+ msgs/s, [\\d.]+ MB/s each way "
            + "\\(2000 messages in [\\d.]+ s\\)"));
      }
      try (VecinoProcess client = VecinoProcess.start("echo-client", "echo-client", address,
          "--count", "500", "--size", "0", "--rate", "1000/s")) {
        assertEquals(0, client.awaitExit(), client.dump());
        client.awaitOut("open loop at 1000/s (corrected for coordinated omission)");
        client.awaitOut("rtt µs: p50 ");
      }
      server.awaitOut("+ echo-client connected");
    }
  }

  /**
   * The server echoes on its I/O thread: a client that floods and never reads must not stall it.
   * That client's echoes fill its queue, then wait in the library, then are dropped with a
   * logged count, while another client's round trips go on. The flood goes through a relay that
   * stops reading the server's side, so the flooder's own threads stay free to send.
   */
  @Test
  void aClientThatNeverReadsLosesEchoesWhileAnotherKeepsItsRoundTrips() throws Exception {
    try (VecinoProcess server = VecinoProcess.start("echo-server", "echo-server",
        "--bind", "127.0.0.1", "--port", "0", "--plaintext", "--quiet")) {
      Matcher m = LISTENING.matcher(server.awaitOut("echo server listening on"));
      m.find();
      int port = Integer.parseInt(m.group(1));
      BlockingQueue<Message> echoes = new ArrayBlockingQueue<>(16);
      try (OneWayRelay relay = new OneWayRelay(port);
          PeerNode flooder = client("flooder").build().start();
          PeerNode friend = client("friend").listener(new PeerListener() {
            @Override
            public void onMessage(Message msg) {
              echoes.add(msg);
            }
          }).build().start()) {
        Peer viaRelay = flooder.connect("127.0.0.1", relay.port()).get(10, TimeUnit.SECONDS);
        Peer direct = friend.connect("127.0.0.1", port).get(10, TimeUnit.SECONDS);
        relay.stopReadingServer();
        // 32 MiB: more than the server's 4 MiB queue, 4 MiB of waiting sends and the socket
        // buffers between them hold.
        byte[] big = new byte[64 * 1024];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (int sent = 0; sent < 512; ) {
          SendStatus s = flooder.trySend(viaRelay, big);
          if (s == SendStatus.OK) {
            sent++;
          } else {
            assertEquals(SendStatus.QUEUE_FULL, s, "the flood's connection stays up");
            if (System.nanoTime() - deadline > 0) {
              throw new AssertionError("the server stopped reading the flood after " + sent);
            }
            LockSupport.parkNanos(100_000);
          }
        }
        byte[] ping = {1, 2, 3};
        for (int i = 0; i < 100; i++) {
          assertEquals(SendStatus.OK, friend.trySend(direct, ping));
          assertNotNull(echoes.poll(5, TimeUnit.SECONDS), "echo " + i + " to the friend");
        }
        server.awaitErr("echo(es) dropped, the last to ");
      }
    }
  }

  private static dev.vecino.p2p.PeerNodeBuilder client(String name) {
    return PeerNode.builder().name(name).bindAddress("127.0.0.1").listen(false).plaintext(true);
  }

  @Test
  void clientFailsClearlyWithoutAServer() throws Exception {
    int closed = Net.closedPort();
    try (VecinoProcess client = VecinoProcess.start("echo-client", "echo-client",
        "127.0.0.1:" + closed, "--count", "10")) {
      assertEquals(1, client.awaitExit(), client.dump());
      client.awaitErr("error: cannot connect to 127.0.0.1:" + closed + ": connection refused");
    }
  }
}
