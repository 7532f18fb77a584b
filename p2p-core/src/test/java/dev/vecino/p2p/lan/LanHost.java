package dev.vecino.p2p.lan;

import dev.vecino.p2p.NodeKey;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import dev.vecino.p2p.scan.Diagnosis;
import dev.vecino.p2p.scan.ScanListener;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.ScanResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One host of the simulated LAN (issue 17): a node in its own network namespace, driven by
 * {@link SimulatedLanTest} over stdin and stdout, one command and one answer a line.
 *
 * <p>Arguments: {@code name group port beacons(true|false) id|- peerStore|- mutePort|0}.
 * Prints {@code READY <id>}, then answers {@code discover} with {@code FOUND <stage> <id>
 * <ms since the command>} lines and a {@code REPORT} line, {@code doctor <ip> <port>} with
 * {@code DOCTOR <verdict> <explanation>}, and ends on {@code quit} or end of input.
 */
public final class LanHost {

  private LanHost() {}

  /**
   * Runs the host.
   *
   * @param args see the class documentation
   * @throws Exception on any failure: the test reads the stack trace from stderr
   */
  public static void main(String[] args) throws Exception {
    PeerNodeBuilder b = PeerNode.builder().name(args[0]).group(args[1]).port(Integer.parseInt(args[2]))
        .beacons(Boolean.parseBoolean(args[3])).handshakeTimeout(Duration.ofSeconds(2))
        .closeTimeout(Duration.ofMillis(200));
    if (!args[4].equals("-")) {
      // A key file: the id derives from it, and the test knew it before this host started.
      b.key(NodeKey.loadOrCreate(Path.of(args[4])));
    }
    if (!args[5].equals("-")) {
      b.peerStore(Path.of(args[5]));
    }
    int mutePort = Integer.parseInt(args[6]);
    try (ServerSocket mute = mutePort > 0 ? new ServerSocket(mutePort) : null;
         PeerNode node = b.build().start()) {
      // Warm the JVM's TLS code with one handshake (with itself: refused once the tunnel is up),
      // so the times the test measures are discovery's, not a cold JVM's first handshake.
      try {
        node.connect(node.localAddress()).get(20, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException expected) {
        // SelfConnectionException, after a full handshake.
      }
      System.out.println("READY " + node.identity().id());
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
        String[] cmd = line.trim().split(" ");
        if (cmd[0].equals("discover")) {
          discover(node);
        } else if (cmd[0].equals("doctor")) {
          Diagnosis d = node.diagnose(new InetSocketAddress(cmd[1], Integer.parseInt(cmd[2])), Duration.ofMillis(800))
              .get(20, TimeUnit.SECONDS);
          System.out.println("DOCTOR " + d.verdict() + " " + d.explanation());
        }
        System.out.flush();
      }
    }
  }

  private static void discover(PeerNode node) throws Exception {
    long t0 = System.nanoTime();
    ScanOptions o = ScanOptions.builder().timeout(Duration.ofMillis(800)).beaconWindow(Duration.ofMillis(1500))
        .listener(new ScanListener() {
          @Override
          public void onFound(ScanResult r) {
            if (r.id() != null) {
              System.out.println("FOUND " + r.stage() + " " + r.id() + " " + (System.nanoTime() - t0) / 1_000_000
                  + " " + r.status());
            }
          }
        }).build();
    ScanReport r = node.discover(o).report().get(30, TimeUnit.SECONDS);
    System.out.println("REPORT " + r.peers().size() + " peers " + r);
  }
}
