package dev.vecino.p2p.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.NodeClosedException;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanHandle;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.Targets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Scans of 127.4.2.0/24 where 100 addresses drop SYNs: the window, the timeout and cancel. */
@Timeout(30)
class SilentScanTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(4, 2);
  private static SilentHosts silent;
  private static int port;

  @BeforeAll
  static void makeSilentHosts() throws IOException {
    try (ServerSocket probe = new ServerSocket(0, 1, BLOCK.address(100))) {
      port = probe.getLocalPort();
    }
    List<InetAddress> addresses = new ArrayList<>();
    for (int h = 100; h < 200; h++) {
      addresses.add(BLOCK.address(h));
    }
    try {
      silent = SilentHosts.open(addresses, port);
    } catch (SilentHosts.Unsupported e) {
      Assumptions.abort("no silent hosts on this platform: " + e.getMessage());
    }
  }

  @AfterAll
  static void releaseSilentHosts() {
    if (silent != null) {
      silent.close();
    }
  }

  @Test
  void aBlockWithAHundredSilentHostsTakesAboutOneTimeoutNotAHundred() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode peer = nodes.start(BLOCK.host(10), port, "peer");
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");
      Duration timeout = Duration.ofMillis(500);

      ScanReport r = scanner.scan(Targets.parse(BLOCK.cidr()), Ports.of(port),
          ScanOptions.builder().timeout(timeout).build()).report().get(20, TimeUnit.SECONDS);

      assertEquals(254, r.probed(), r.toString());
      // At least the 100: on a starved machine a refusal can itself outlast the timeout.
      assertTrue(r.silent() >= 100, r.toString());
      assertEquals(1, r.peers().size(), r.toString());
      assertEquals(peer.identity().id(), r.peers().get(0).id());
      // One after the other it would take 100 x 500 ms = 50 s; the window makes it ~one timeout.
      assertTrue(r.duration().compareTo(timeout.multipliedBy(4)) < 0, "took " + r.duration().toMillis() + " ms");
    }
  }

  @Test
  void adaptiveTimeoutShortensTheWaitForSilentHosts() throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");
      Duration timeout = Duration.ofSeconds(3);
      // Closed addresses first (.1-.99 answer with RST at once) teach the RTT; then the silent ones.
      ScanReport r = scanner.scan(Targets.parse(BLOCK.cidr()), Ports.of(port),
          ScanOptions.builder().timeout(timeout).adaptiveTimeout(true).window(64).build())
          .report().get(20, TimeUnit.SECONDS);

      assertTrue(r.silent() >= 100, r.toString());
      assertTrue(r.duration().compareTo(timeout) < 0, "adaptive: took " + r.duration().toMillis() + " ms");
    }
  }

  @Test
  void cancelStopsWithinAFewMillisecondsAndClosesEveryProbeSocket() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc to count descriptors");
    try (TestNodes nodes = new TestNodes()) {
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");
      long before = openFds();
      // Best of three: on a shared 2-core machine one hand-off between threads can stall for
      // a scheduler slice; the engine's own path is milliseconds.
      long best = Long.MAX_VALUE;
      for (int attempt = 0; attempt < 3 && best >= 100; attempt++) {
        ScanHandle h = scanner.scan(Targets.parse(BLOCK.host(100) + "-199"), Ports.of(port),
            ScanOptions.builder().timeout(Duration.ofSeconds(20)).build());
        Await.until("probes pending", () -> openFds() >= before + 90);

        long start = System.nanoTime();
        h.cancel();
        ScanReport r = h.report().get(5, TimeUnit.SECONDS);
        best = Math.min(best, (System.nanoTime() - start) / 1_000_000);

        assertTrue(r.cancelled(), r.toString());
        assertTrue(h.isDone());
        Await.until("probe sockets closed", Duration.ofSeconds(2), () -> openFds() <= before + 2);
      }
      assertTrue(best < 100, "cancel took " + best + " ms");
    }
  }

  @Test
  void closingTheNodeFailsThePendingReportAndFreesTheProbes() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc to count descriptors");
    long before = openFds();
    ScanHandle h;
    try (TestNodes nodes = new TestNodes()) {
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");
      h = scanner.scan(Targets.parse(BLOCK.host(100) + "-199"), Ports.of(port),
          ScanOptions.builder().timeout(Duration.ofSeconds(20)).build());
      Await.until("probes pending", () -> openFds() >= before + 90);
    }
    ExecutionException e = assertThrows(ExecutionException.class, () -> h.report().get(5, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof NodeClosedException, e.toString());
    assertTrue(h.isDone());
    Await.until("probe sockets closed", Duration.ofSeconds(2), () -> openFds() <= before + 2);
  }

  @Test
  void descriptorsInUseStayWithinTheWindow() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc to count descriptors");
    try (TestNodes nodes = new TestNodes()) {
      PeerNode scanner = nodes.start(BLOCK.host(1), 0, "scanner");
      long before = openFds();
      int window = 16;
      ScanHandle h = scanner.scan(Targets.parse(BLOCK.host(100) + "-199"), Ports.of(port),
          ScanOptions.builder().window(window).timeout(Duration.ofMillis(150)).build());
      long max = before;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!h.report().isDone() && System.nanoTime() < deadline) {
        max = Math.max(max, openFds());
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
      ScanReport r = h.report().get(1, TimeUnit.SECONDS);

      assertTrue(r.silent() >= 100, r.toString());
      assertTrue(max - before <= window + 4, "descriptors grew by " + (max - before) + " with a window of " + window);
      assertTrue(max - before >= window / 2, "the window was used: " + (max - before));
    }
  }

  private static long openFds() {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
