package demo.scanning;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.Targets;
import java.util.concurrent.TimeUnit;

/** Scans 127.0.0.0/28 for a listening node, then says which management modules it ran with. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    try (PeerNode bob = PeerNode.builder().name("bob").bindAddress("127.0.0.1").build().start();
         PeerNode ana = PeerNode.builder().name("ana").bindAddress("127.0.0.1").build().start()) {
      int port = bob.localAddress().getPort();
      ScanReport report = ana.scan(Targets.parse("127.0.0.0/28"), Ports.of(port),
          ScanOptions.defaults()).report().get(30, TimeUnit.SECONDS);
      System.out.println("peers found: " + report.peers().size());
    }
    System.out.println("jdk.management present: "
        + ModuleLayer.boot().findModule("jdk.management").isPresent());
  }
}
