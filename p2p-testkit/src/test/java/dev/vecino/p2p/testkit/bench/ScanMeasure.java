package dev.vecino.p2p.testkit.bench;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.Targets;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.PlainService;
import dev.vecino.p2p.testkit.SilentHosts;
import dev.vecino.p2p.testkit.TestNodes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A quick, JMH-free measurement of scan speed, CPU per address and politeness on loopback
 * (127.5.0.0/16 only). Run: {@code java -cp <test classpath> dev.vecino.p2p.testkit.bench.ScanMeasure}.
 * Numbers are medians of several runs after a warm-up; compare within one run only.
 */
public final class ScanMeasure {

  private ScanMeasure() {}

  public static void main(String[] args) throws Exception {
    System.out.println("JDK " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
    try (TestNodes nodes = new TestNodes()) {
      PeerNode scanner = nodes.start("127.5.0.1", 0, "scanner");
      int closedPort = freePort("127.5.0.1");
      ScanOptions probeOnly = ScanOptions.builder().autoConnect(false).build();
      if (args.length > 0 && args[0].equals("politeness")) {
        politeness(scanner);
        return;
      }
      if (args.length > 0 && args[0].equals("slash16")) {
        timed(scanner, "127.6.0.0/16 closed", Targets.parse("127.6.0.0/16"), closedPort, probeOnly, 1, 5);
        return;
      }
      baseline("127.5.1.0/24", closedPort, 30, 30);
      baseline("127.5.16.0/20", closedPort, 3, 7);
      baseline("127.6.0.0/16", closedPort, 1, 3);
      timed(scanner, "127.5.1.0/24 closed", Targets.parse("127.5.1.0/24"), closedPort, probeOnly, 30, 30);
      timed(scanner, "127.5.16.0/20 closed", Targets.parse("127.5.16.0/20"), closedPort, probeOnly, 3, 7);
      timed(scanner, "127.6.0.0/16 closed", Targets.parse("127.6.0.0/16"), closedPort, probeOnly, 1, 3);
      silent(scanner);
      politeness(scanner);
    }
  }

  private static void timed(PeerNode scanner, String what, Targets t, int port, ScanOptions o, int warmup, int runs)
      throws Exception {
    for (int i = 0; i < warmup; i++) {
      scanner.scan(t, Ports.of(port), o).report().get(60, TimeUnit.SECONDS);
    }
    long[] wall = new long[runs];
    long[] cpu = new long[runs];
    long probed = 0;
    for (int i = 0; i < runs; i++) {
      long c0 = cpuNanos();
      long w0 = System.nanoTime();
      ScanReport r = scanner.scan(t, Ports.of(port), o).report().get(60, TimeUnit.SECONDS);
      wall[i] = System.nanoTime() - w0;
      cpu[i] = cpuNanos() - c0;
      probed = r.probed();
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    // CPU time ticks in 10 ms steps: average over all runs, not a median of single runs.
    System.out.printf("%-24s %6d addresses: median %7.1f ms wall (min %.1f, max %.1f), CPU %.2f us/address%n",
        what, probed, wall[runs / 2] / 1e6, wall[0] / 1e6, wall[runs - 1] / 1e6,
        Arrays.stream(cpu).sum() / 1e3 / probed / runs);
  }

  /**
   * The floor: a minimal single-thread NIO scanner with the same window (256) that waits for
   * each connect's outcome (refused in connect(), or via OP_CONNECT), without verification.
   */
  private static void baseline(String cidr, int port, int warmup, int runs) throws Exception {
    Targets t = Targets.parse(cidr);
    long[] wall = new long[runs];
    long[] cpu = new long[runs];
    try (java.nio.channels.Selector selector = java.nio.channels.Selector.open()) {
      for (int i = -warmup; i < runs; i++) {
        long c0 = cpuNanos();
        long w0 = System.nanoTime();
        java.util.Iterator<InetAddress> it = t.addresses();
        int inFlight = 0;
        while (it.hasNext() || inFlight > 0) {
          while (inFlight < 256 && it.hasNext()) {
            java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open();
            ch.configureBlocking(false);
            try {
              if (ch.connect(new java.net.InetSocketAddress(it.next(), port))) {
                ch.close();
              } else {
                ch.register(selector, java.nio.channels.SelectionKey.OP_CONNECT);
                inFlight++;
              }
            } catch (java.io.IOException e) {
              ch.close();
            }
          }
          if (inFlight > 0) {
            selector.select(1000);
            for (java.nio.channels.SelectionKey k : selector.selectedKeys()) {
              java.nio.channels.SocketChannel ch = (java.nio.channels.SocketChannel) k.channel();
              try {
                ch.finishConnect();
              } catch (java.io.IOException e) {
                // Refused: the expected outcome for a closed port.
              }
              k.cancel();
              ch.close();
              inFlight--;
            }
            selector.selectedKeys().clear();
          }
        }
        if (i >= 0) {
          wall[i] = System.nanoTime() - w0;
          cpu[i] = cpuNanos() - c0;
        }
      }
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    System.out.printf("%-24s %6d addresses: median %7.1f ms wall, CPU %.2f us/address (baseline: minimal NIO scanner)%n",
        cidr, t.size(), wall[runs / 2] / 1e6, Arrays.stream(cpu).sum() / 1e3 / t.size() / runs);
  }

  private static void silent(PeerNode scanner) throws Exception {
    LoopbackBlock b = new LoopbackBlock(5, 3);
    int port = freePort(b.host(100));
    List<InetAddress> addrs = new ArrayList<>();
    for (int h = 100; h < 200; h++) {
      addrs.add(b.address(h));
    }
    try (SilentHosts s = SilentHosts.open(addrs, port)) {
      System.out.println(s.size() + " silent hosts on port " + s.port());
      for (Duration timeout : List.of(Duration.ofMillis(500))) {
        for (int window : new int[] {256, 32}) {
          boolean adaptive = window == 32;
          ScanOptions o = ScanOptions.builder().autoConnect(false).timeout(timeout).adaptiveTimeout(adaptive)
              .window(window).build();
          long[] d = new long[3];
          ScanReport r = null;
          for (int i = 0; i < 3; i++) {
            r = scanner.scan(Targets.parse(b.cidr()), Ports.of(port), o).report().get(60, TimeUnit.SECONDS);
            d[i] = r.duration().toMillis();
          }
          Arrays.sort(d);
          System.out.printf("/24 with %d silent hosts, timeout %d ms, window %d%s: median %d ms (%.2f x timeout)%n",
              r.silent(), timeout.toMillis(), window, adaptive ? " adaptive" : "", d[1], d[1] / (double) timeout.toMillis());
        }
      }
    }
  }

  /** 50 peers and 50 plain services in one /24: TIME_WAIT on each side and resets. */
  private static void politeness(PeerNode scanner) throws Exception {
    LoopbackBlock b = new LoopbackBlock(5, 4);
    try (TestNodes nodes = new TestNodes()) {
      PeerNode first = nodes.start(b.host(2), 0, "p2");
      int port = first.localAddress().getPort();
      for (int h = 3; h < 52; h++) {
        nodes.start(b.host(h), port, "p" + h);
      }
      List<PlainService> services = new ArrayList<>();
      for (int h = 100; h < 150; h++) {
        services.add(h % 2 == 0 ? PlainService.greeting(b.socket(h, port), "hello\n") : PlainService.silent(b.socket(h, port)));
      }
      try {
        long tw0Service = timeWait(port, true);
        long tw0Ours = timeWait(port, false);
        long rst0 = outRsts();
        ScanReport r = scanner.scan(Targets.parse(b.cidr()), Ports.of(port),
            ScanOptions.builder().autoConnect(false).timeout(Duration.ofMillis(300)).build())
            .report().get(60, TimeUnit.SECONDS);
        // Let the closes finish before counting (bounded: probes linger at most one timeout).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline && services.stream().mapToInt(PlainService::openConnections).sum() > 0) {
          Thread.onSpinWait();
        }
        long rst = outRsts() - rst0;
        int serviceResets = services.stream().mapToInt(PlainService::resets).sum();
        System.out.printf("politeness /24 (50 peers, 50 plain services, 154 closed): %s%n", r);
        System.out.printf("  TIME_WAIT added: %d on the scanned side (local port %d), %d on the scanner side%n",
            timeWait(port, true) - tw0Service, port, timeWait(port, false) - tw0Ours);
        System.out.printf("  RSTs sent by the kernel during the scan: %d (154 are the refusals of closed ports); "
            + "resets seen by plain services: %d; bytes the services received: %d%n", rst, serviceResets,
            services.stream().mapToLong(PlainService::bytesReceived).sum());
      } finally {
        services.forEach(PlainService::close);
      }
    }
  }

  private static long timeWait(int port, boolean localIsService) throws Exception {
    Process p = new ProcessBuilder("ss", "-Htan", "state", "time-wait").start();
    long n = 0;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] f = line.trim().split("\\s+");
        // Recv-Q Send-Q Local:Port Peer:Port
        // Java sockets are dual-stack: addresses show as [::ffff:127.5.4.2]:port.
        if (f.length < 4 || !(f[2].contains("127.5.") || f[3].contains("127.5."))) {
          continue;
        }
        boolean local = f[2].endsWith(":" + port);
        boolean peer = f[3].endsWith(":" + port);
        if (localIsService ? local : peer) {
          n++;
        }
      }
    }
    p.waitFor(5, TimeUnit.SECONDS);
    return n;
  }

  private static long outRsts() throws Exception {
    Process p = new ProcessBuilder("nstat", "-az", "TcpOutRsts").start();
    long n = -1;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("TcpOutRsts")) {
          n = Long.parseLong(line.trim().split("\\s+")[1]);
        }
      }
    }
    p.waitFor(5, TimeUnit.SECONDS);
    return n;
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static int freePort(String host) throws Exception {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new java.net.InetSocketAddress(host, 0));
      return s.getLocalPort();
    }
  }
}
