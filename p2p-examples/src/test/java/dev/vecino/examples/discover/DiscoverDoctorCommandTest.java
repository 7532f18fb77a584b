package dev.vecino.examples.discover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.examples.Main;
import dev.vecino.examples.cli.Text;
import dev.vecino.p2p.GroupSecret;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.scan.Diagnosis;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vecino discover} and {@code vecino doctor} against real nodes on loopback
 * (127.0.8.0/24); beacons off, explicit targets only.
 */
@Timeout(30)
class DiscoverDoctorCommandTest {

  private record Run(int code, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }

  private static PeerNode node(String ip, String name) {
    return PeerNode.builder().name(name).bindAddress(ip).port(0).build().start();
  }

  @Test
  void discoverPrintsEachPeerWithItsStageThenASummary() {
    try (PeerNode ana = node("127.0.8.2", "ana")) {
      int port = ana.localAddress().getPort();
      Run r = run("discover", "--targets", "127.0.8.2-127.0.8.3", "--port", "" + port, "--no-beacons", "--json");
      assertEquals(0, r.code(), r.err());
      List<String> lines = r.lines();
      assertEquals(2, lines.size(), r.out());
      assertTrue(lines.get(0).startsWith("{\"type\":\"peer\",\"address\":\"127.0.8.2\",\"port\":" + port
          + ",\"name\":\"ana\""), lines.get(0));
      assertTrue(lines.get(0).endsWith(",\"stage\":\"range-scan\"}"), lines.get(0));
      assertTrue(lines.get(1).startsWith("{\"type\":\"summary\",\"probed\":2,\"open\":1,\"peers\":1"), lines.get(1));
    }
  }

  @Test
  void discoverRefusesToScanTheLocalSubnetsWithoutATerminal() {
    Run r = run("discover", "--no-beacons");
    assertEquals(Main.EXIT_USAGE, r.code());
    assertTrue(r.err().contains("refusing to scan this machine's subnets"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void doctorNamesAFoundPeerAndAClosedPort() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.8.5"))) {
      closed = s.getLocalPort();
    }
    try (PeerNode ana = node("127.0.8.4", "ana")) {
      Run found = run("doctor", "127.0.8.4:" + ana.localAddress().getPort(), "--json");
      assertEquals(0, found.code(), found.err() + found.out());
      String last = found.lines().get(found.lines().size() - 1);
      assertTrue(last.contains("\"verdict\":\"FOUND\""), last);
      assertTrue(found.lines().get(0).startsWith("{\"type\":\"check\",\"step\":\"scope\""), found.out());

      Run refused = run("doctor", "127.0.8.5:" + closed);
      assertEquals(Main.EXIT_FAILURE, refused.code(), refused.out());
      assertTrue(refused.out().contains("port closed: the host is up but nothing listens on port " + closed),
          refused.out());
    }
  }

  @Test
  void doctorAndDiscoverTakeTheGroupSecretAndSayWhenASecureNodeDoesNotAdmitThem(@TempDir Path dir) {
    GroupSecret team = GroupSecret.generate();
    Path secret = dir.resolve("team.secret");
    team.writeNew(secret);
    Path other = dir.resolve("other.secret");
    GroupSecret.generate().writeNew(other);
    try (PeerNode ana = PeerNode.builder().name("ana").bindAddress("127.0.8.6").port(0).groupSecret(team)
        .build().start()) {
      String target = "127.0.8.6:" + ana.localAddress().getPort();
      Run found = run("doctor", target, "--secret-file", secret.toString());
      assertEquals(0, found.code(), found.err() + found.out());
      assertTrue(found.out().contains("found: a peer of this group: peer 'ana'"), found.out());

      Run refused = run("doctor", target, "--secret-file", other.toString(), "--json");
      assertEquals(Main.EXIT_FAILURE, refused.code(), refused.err() + refused.out());
      String last = refused.lines().get(refused.lines().size() - 1);
      assertTrue(last.contains("\"verdict\":\"REFUSED\"") && last.contains("did not admit"), last);

      Run es = run("doctor", target, "--secret-file", other.toString(), "--lang", "es");
      assertTrue(es.out().contains("rechazado: el puerto " + ana.localAddress().getPort()
          + " rechazó a este nodo: not admitted"), es.out());
      assertTrue(es.out().contains("  saludo    FALLA"), es.out());

      Run discover = run("discover", "--targets", "127.0.8.6", "--port", "" + ana.localAddress().getPort(),
          "--no-beacons", "--no-known", "--secret-file", secret.toString(), "--lang", "es");
      assertEquals(0, discover.code(), discover.err());
      assertTrue(discover.lines().get(0).startsWith("vecino "), discover.out());
      assertTrue(discover.lines().get(0).endsWith("por escaneo de rango"), discover.out());
      assertTrue(discover.lines().get(1).startsWith("1 vecino encontrado en "), discover.out());

      Run notAdmitted = run("discover", "--targets", "127.0.8.6", "--port", "" + ana.localAddress().getPort(),
          "--no-beacons", "--no-known", "--secret-file", other.toString(), "--json");
      assertEquals(0, notAdmitted.code(), notAdmitted.err());
      assertTrue(notAdmitted.lines().get(0).startsWith("{\"type\":\"not-admitted\",\"address\":\"127.0.8.6\""),
          notAdmitted.out());
    }
  }

  @Test
  void doctorSaysWhenAPortOfThisMachineIsTakenInBothLanguagesAndInJson() throws Exception {
    try (ServerSocket squatter = new ServerSocket(0, 50, InetAddress.getByName("127.0.8.8"))) {
      int port = squatter.getLocalPort();
      // A short timeout: the service never says a word, and each run waits it out twice (handshake, hang-up test).
      Run json = run("doctor", "127.0.8.8:" + port, "--json", "--timeout", "200ms");
      assertEquals(Main.EXIT_FAILURE, json.code(), json.err() + json.out());
      List<String> lines = json.lines();
      assertEquals("{\"type\":\"check\",\"step\":\"port\",\"ok\":\"no\",\"outcome\":\"in use on this machine, by "
          + "something that is not a Vecino node\"}", lines.get(lines.size() - 2));
      assertTrue(lines.get(lines.size() - 1).startsWith("{\"type\":\"verdict\",\"address\":\"127.0.8.8\",\"port\":"
          + port + ",\"verdict\":\"PORT_IN_USE\",\"explanation\":\"port " + port + " on this machine is held by a "
          + "program that is not a Vecino node"), lines.get(lines.size() - 1));

      Run text = run("doctor", "127.0.8.8:" + port, "--timeout", "200ms");
      assertTrue(text.out().contains("port in use: port " + port + " is taken on this machine (in use on this "
          + "machine, by something that is not a Vecino node): a node bound to all addresses (the default) cannot "
          + "listen on it"), text.out());
      Run es = run("doctor", "127.0.8.8:" + port, "--lang", "es", "--timeout", "200ms");
      assertTrue(es.out().contains("  puerto    FALLA in use on this machine"), es.out());
      assertTrue(es.out().contains("puerto ocupado: el puerto " + port + " está ocupado en esta máquina"), es.out());
    }
  }

  @Test
  void aPeerBehindASkippedVirtualInterfaceIsNamedWithTheInterface() {
    Diagnosis d = new Diagnosis(new InetSocketAddress("198.18.77.2", 9999), Diagnosis.Verdict.SKIPPED_INTERFACE,
        "a peer of this group: 'ana' (3f9a1c2e), but the only interface in its subnet, docker0, is virtual, ...",
        List.of(new Diagnosis.Check("scope", "inside 198.18.77.0/24", true),
            new Diagnosis.Check("route", "on-link only via docker0, a virtual interface, which the default range "
                + "scan skips", false),
            new Diagnosis.Check("beacon", "this node does not listen for beacons (beacons(false))", true),
            new Diagnosis.Check("known", "not a known peer", true),
            new Diagnosis.Check("tcp", "open", true),
            new Diagnosis.Check("handshake", "peer 'ana' (3f9a1c2e)", true)));
    try {
      Text.use(Locale.ENGLISH);
      List<String> lines = DoctorCommand.lines(d, false);
      assertEquals("  route     FAIL  on-link only via docker0, a virtual interface, which the default range scan skips",
          lines.get(1));
      assertEquals("skipped interface: a peer of this group, but discover does not look there (on-link only via "
          + "docker0, a virtual interface, which the default range scan skips): it finds it only if it answers "
          + "beacons; use discover --targets 198.18.77.2 or scan 198.18.77.2, or connect to it directly",
          lines.get(lines.size() - 1));
      assertEquals("{\"type\":\"verdict\",\"address\":\"198.18.77.2\",\"port\":9999,\"verdict\":"
          + "\"SKIPPED_INTERFACE\",\"explanation\":\"" + d.explanation() + "\"}", DoctorCommand.lines(d, true).get(6));
      Text.use(Locale.forLanguageTag("es"));
      assertTrue(DoctorCommand.lines(d, false).get(6).startsWith("interfaz omitida: un vecino de este grupo, pero "
          + "discover no lo busca ahí (on-link only via docker0"), DoctorCommand.lines(d, false).get(6));
    } finally {
      Text.use(Locale.ENGLISH);
    }
  }

  @Test
  void doctorRefusesASecretWithPlaintextBeforeStartingANode(@TempDir Path dir) {
    Path secret = dir.resolve("team.secret");
    GroupSecret.generate().writeNew(secret);
    Run r = run("doctor", "127.0.8.7:1", "--secret-file", secret.toString(), "--plaintext");
    assertEquals(Main.EXIT_USAGE, r.code(), r.err());
    assertTrue(r.err().contains("--secret-file needs TLS"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void doctorTakesABareHostOrIpv6Literal() {
    assertEquals(9999, DoctorCommand.parseTarget("127.0.0.1").port());
    assertEquals("::1", DoctorCommand.parseTarget("::1").host());
    assertEquals(4000, DoctorCommand.parseTarget("[::1]:4000").port());
    assertEquals(4000, DoctorCommand.parseTarget("127.0.0.1:4000").port());
  }
}
