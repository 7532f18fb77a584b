package dev.vecino.p2p.lan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.NodeKey;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery on a simulated LAN (issue 17): six hosts, each a JVM in its own network namespace,
 * their {@code eth0} on one bridge that lives in a namespace of its own (so it can never hold a
 * physical port, and nothing in the machine's own namespace changes). Addresses in
 * 198.18.0.0/15 (RFC 2544 benchmarking, never routed); no namespace has a default route.
 *
 * <pre>
 * h1 198.18.1.1/24  the discoverer; its peer store knows h6     beacons on
 * h2 198.18.1.2/24  group "lan"                                  beacons on
 * h3 198.18.1.3/24  group "lan"                                  beacons on
 * h4 198.18.1.4/24  group "other"                                beacons on
 * h5 198.18.1.5/24  group "lan", plus a TCP service on 7000      beacons off
 * h6 198.19.2.6/24  group "lan", another subnet (same wire, own route) beacons on
 * </pre>
 *
 * Besides, h1 and h5 share a second wire of their own, a veth pair named as virtual on h1's
 * side ({@code veth9} 198.18.9.1/24, h5's {@code eth1} 198.18.9.5/24): the default range scan
 * skips that subnet, which the doctor names.
 *
 * Skipped, with the reason printed, where the machine does not allow network namespaces
 * (not root, no {@code ip}). Names are unique per run; namespaces of runs older than ten
 * minutes are removed first (a crashed run's leftovers).
 */
@Timeout(60)
class SimulatedLanTest {

  private static final String PREFIX = "vecino-";
  private static final String GROUP = "lan";
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static final String RUN = String.format(Locale.ROOT, "%06x", ThreadLocalRandom.current().nextInt(1 << 24));
  private static final String BRIDGE_NS = PREFIX + RUN + "-br";
  private static final Map<String, Host> HOSTS = new LinkedHashMap<>();
  private static final List<String> NAMESPACES = new ArrayList<>();

  @TempDir
  static Path dir;

  /** One host: its namespace, process and output; {@code ready} holds its READY line. */
  private record Host(String ns, String ip, Process process, PrintWriter in, BlockingQueue<String> out,
      String[] ready) {
    String id() {
      return ready[0].substring("READY ".length());
    }

    String await(String prefix) throws InterruptedException {
      long end = System.nanoTime() + WAIT.toNanos();
      while (true) {
        String line = out.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null) {
          throw new AssertionError(ns + ": no '" + prefix + "' line within " + WAIT);
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    }

    void send(String command) {
      in.println(command);
      in.flush();
    }
  }

  @BeforeAll
  static void buildTheLan() throws Exception {
    String reason = unavailable();
    if (reason != null) {
      System.out.println("SimulatedLanTest skipped: " + reason);
      Assumptions.abort(reason);
    }
    removeLeftovers();
    ns(BRIDGE_NS);
    ip("-n", BRIDGE_NS, "link", "add", "br0", "type", "bridge");
    ip("-n", BRIDGE_NS, "link", "set", "br0", "up");
    String[][] plan = {
        {"h1", "198.18.1.1/24"}, {"h2", "198.18.1.2/24"}, {"h3", "198.18.1.3/24"},
        {"h4", "198.18.1.4/24"}, {"h5", "198.18.1.5/24"}, {"h6", "198.19.2.6/24"}};
    for (String[] h : plan) {
      String hostNs = PREFIX + RUN + "-" + h[0];
      ns(hostNs);
      ip("-n", BRIDGE_NS, "link", "add", "p-" + h[0], "type", "veth", "peer", "name", "eth0", "netns", hostNs);
      ip("-n", BRIDGE_NS, "link", "set", "p-" + h[0], "master", "br0", "up");
      ip("-n", hostNs, "link", "set", "lo", "up");
      ip("-n", hostNs, "addr", "add", h[1], "dev", "eth0");
      ip("-n", hostNs, "link", "set", "eth0", "up");
    }
    // h6 is on another subnet of the same wire: each side routes the other subnet on-link.
    for (String h : List.of("h1", "h2", "h3", "h4", "h5")) {
      ip("-n", PREFIX + RUN + "-" + h, "route", "add", "198.19.2.0/24", "dev", "eth0");
    }
    ip("-n", PREFIX + RUN + "-h6", "route", "add", "198.18.1.0/24", "dev", "eth0");
    // h1's virtual link to h5: a subnet that only an interface the default range scan skips holds.
    String h1 = PREFIX + RUN + "-h1";
    String h5 = PREFIX + RUN + "-h5";
    ip("-n", h1, "link", "add", "veth9", "type", "veth", "peer", "name", "eth1", "netns", h5);
    ip("-n", h1, "addr", "add", "198.18.9.1/24", "dev", "veth9");
    ip("-n", h1, "link", "set", "veth9", "up");
    ip("-n", h5, "addr", "add", "198.18.9.5/24", "dev", "eth1");
    ip("-n", h5, "link", "set", "eth1", "up");
    assertIsolated(plan);
    startHosts();
  }

  /** Before any node starts: no default route anywhere, and the bridge holds only our veths. */
  private static void assertIsolated(String[][] plan) throws Exception {
    for (String n : NAMESPACES) {
      assertEquals("", ip("-n", n, "route", "show", "default").trim(), n + " must have no default route");
      assertEquals("", ip("-n", n, "-6", "route", "show", "default").trim(), n + " must have no IPv6 default route");
    }
    String ports = ip("-n", BRIDGE_NS, "-o", "-d", "link", "show", "master", "br0");
    int count = 0;
    for (String line : ports.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      count++;
      assertTrue(line.contains(" veth "), "only veth ports on the bridge: " + line);
      assertTrue(line.matches("^\\d+: p-h\\d@.*"), "only the ports this test made: " + line);
    }
    assertEquals(plan.length, count, ports);
  }

  private static void startHosts() throws Exception {
    // h6's key is made here, so h1's store can know h6's id (derived from it) before h6 starts.
    Path h6Key = dir.resolve("h6.key");
    String h6Id = NodeKey.loadOrCreate(h6Key).id().toString();
    Path store = dir.resolve("h1-peers");
    long now = System.currentTimeMillis();
    Files.writeString(store, "# vecino known peers v1\n" + h6Id + " - 0 " + now + " " + now + " 198.19.2.6:9999\n");
    Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rw-------"));
    start("h1", "198.18.1.1", "h1", GROUP, true, "-", store.toString(), 0);
    start("h2", "198.18.1.2", "h2", GROUP, true, "-", "-", 0);
    start("h3", "198.18.1.3", "h3", GROUP, true, "-", "-", 0);
    start("h4", "198.18.1.4", "h4", "other", true, "-", "-", 0);
    start("h5", "198.18.1.5", "h5", GROUP, false, "-", "-", 7000);
    start("h6", "198.19.2.6", "h6", GROUP, true, h6Key.toString(), "-", 0);
    for (Host h : HOSTS.values()) {
      h.ready()[0] = h.await("READY");
    }
  }

  private static void start(String key, String ip, String name, String group, boolean beacons, String keyFile,
      String store, int mutePort) throws IOException {
    String hostNs = PREFIX + RUN + "-" + key;
    List<String> cmd = List.of("ip", "netns", "exec", hostNs,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx48m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Dvecino.networkScope=198.18.0.0/15,127.0.0.0/8",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"), LanHost.class.getName(),
        name, group, "9999", Boolean.toString(beacons), keyFile, store, Integer.toString(mutePort));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(dir.resolve(key + ".err").toFile());
    pb.environment().put("VECINO_NETWORK_SCOPE", "198.18.0.0/15,127.0.0.0/8");
    Process p = pb.start();
    BlockingQueue<String> out = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          out.add(line);
        }
      } catch (IOException e) {
        out.add("EOF " + e);
      }
    }, "lan-" + key);
    reader.setDaemon(true);
    reader.start();
    HOSTS.put(key, new Host(hostNs, ip, p,
        new PrintWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)), out, new String[1]));
  }

  @AfterAll
  static void tearDown() {
    for (Host h : HOSTS.values()) {
      h.send("quit");
    }
    for (Host h : HOSTS.values()) {
      try {
        if (!h.process().waitFor(5, TimeUnit.SECONDS)) {
          h.process().destroyForcibly();
        }
      } catch (InterruptedException e) {
        h.process().destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    for (String n : NAMESPACES) {
      try {
        ip("netns", "del", n);
      } catch (Exception e) {
        System.out.println("SimulatedLanTest: could not remove namespace " + n + ": " + e.getMessage());
      }
    }
  }

  @Test
  void discoveryFindsEveryoneAndSaysHowAndDoctorNamesEachCause() throws Exception {
    Map<String, String> idOf = new HashMap<>();
    for (Map.Entry<String, Host> e : HOSTS.entrySet()) {
      idOf.put(e.getValue().id(), e.getKey());
    }
    Host h1 = HOSTS.get("h1");
    h1.send("discover");
    Map<String, String[]> found = new HashMap<>();
    String report;
    while (true) {
      String line = h1.await("");
      System.out.println("SimulatedLanTest h1: " + line);
      if (line.startsWith("REPORT")) {
        report = line;
        break;
      }
      if (line.startsWith("FOUND") && line.endsWith(" PEER")) {
        String[] f = line.split(" ");
        found.put(idOf.get(f[2]), f);
      }
    }
    assertEquals(List.of("h2", "h3", "h5", "h6"), found.keySet().stream().sorted().toList(), report);
    assertTrue(report.startsWith("REPORT 4 peers"), report);
    assertTrue(report.contains("1 of other groups"), "h4 answers as another group, never as a peer: " + report);
    for (String h : List.of("h2", "h3")) {
      assertEquals("beacon", found.get(h)[1], h + " is found by its beacon answer");
      assertTrue(Long.parseLong(found.get(h)[3]) <= 1000, h + " within 1 s: " + String.join(" ", found.get(h)));
    }
    assertEquals("range-scan", found.get("h5")[1], "a host that does not beacon is found by the scan");
    assertEquals("known", found.get("h6")[1], "a host on another subnet is found through the peer store");

    Map<String, String> doctor = new LinkedHashMap<>();
    doctor.put("198.18.1.2 9998", "PORT_CLOSED");
    doctor.put("198.18.1.50 9999", "HOST_SILENT");
    doctor.put("198.18.1.4 9999", "OTHER_GROUP");
    doctor.put("198.18.1.5 7000", "NOT_A_VECINO_NODE");
    doctor.put("198.19.200.1 9999", "NO_ROUTE");
    doctor.put("198.18.1.3 9999", "FOUND");
    doctor.put("198.18.9.5 9999", "SKIPPED_INTERFACE");
    for (Map.Entry<String, String> d : doctor.entrySet()) {
      h1.send("doctor " + d.getKey());
      String line = h1.await("DOCTOR");
      System.out.println("SimulatedLanTest doctor " + d.getKey() + ": " + line);
      assertTrue(line.startsWith("DOCTOR " + d.getValue() + " "), d.getKey() + ": " + line);
    }
    // On h5 itself, its service on 7000 is why no node could listen there.
    Host h5 = HOSTS.get("h5");
    h5.send("doctor 198.18.1.5 7000");
    String line = h5.await("DOCTOR");
    System.out.println("SimulatedLanTest doctor on h5, 198.18.1.5 7000: " + line);
    assertTrue(line.startsWith("DOCTOR PORT_IN_USE "), line);
  }

  private static String unavailable() {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      return "network namespaces need Linux";
    }
    try {
      Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(5, TimeUnit.SECONDS) || !uid.equals("0")) {
        return "network namespaces need root (uid " + uid + ")";
      }
      ip("netns", "list");
    } catch (Exception e) {
      return "cannot run 'ip netns': " + e.getMessage();
    }
    return null;
  }

  /** Removes namespaces this test left more than ten minutes ago (a crashed run). */
  private static void removeLeftovers() throws Exception {
    Path run = Path.of("/run/netns");
    if (!Files.isDirectory(run)) {
      return;
    }
    long cutoff = System.currentTimeMillis() - TimeUnit.MINUTES.toMillis(10);
    try (var names = Files.list(run)) {
      for (Path p : names.toList()) {
        String n = p.getFileName().toString();
        if (n.matches("vecino-[0-9a-f]{6}-(br|h\\d)") && Files.getLastModifiedTime(p).toMillis() < cutoff) {
          System.out.println("SimulatedLanTest: removing leftover namespace " + n);
          ip("netns", "del", n);
        }
      }
    }
  }

  private static void ns(String name) throws Exception {
    ip("netns", "add", name);
    NAMESPACES.add(name);
  }

  private static String ip(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add("ip");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out.trim());
    }
    return out;
  }
}
