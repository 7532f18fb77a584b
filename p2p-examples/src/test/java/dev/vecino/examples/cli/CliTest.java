package dev.vecino.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.examples.MainAccess;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.NotAdmittedException;
import dev.vecino.p2p.UnsupportedVersionException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CliTest {

  @Test
  void parsesHostPortAndBracketedIpv6() {
    assertEquals(new HostPort("127.0.0.1", 9999), HostPort.parse("127.0.0.1:9999"));
    assertEquals(new HostPort("::1", 80), HostPort.parse("[::1]:80"));
    assertEquals("[::1]:80", HostPort.parse("[::1]:80").toString());
  }

  @Test
  void badAddressesNameTheProblem() {
    assertEquals("bad address 'foo': expected host:port",
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("foo")).getMessage());
    assertEquals("bad address 'a:99999': port must be 1..65535",
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("a:99999")).getMessage());
    assertEquals("bad address 'a:x': port is not a number",
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("a:x")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> HostPort.parse("::1:80"));
  }

  @Test
  void parsesDurations() {
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
    assertEquals(Duration.ofSeconds(2), Durations.parse("2s"));
    assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
    assertEquals(Duration.ofMinutes(1), Durations.parse("1m"));
    IllegalArgumentException bare = assertThrows(IllegalArgumentException.class, () -> Durations.parse("5"));
    assertEquals("bad duration '5': give a unit, e.g. 5s or 5ms", bare.getMessage(),
        "a bare number is refused, not read as milliseconds");
    assertEquals("500ms", Durations.format(Duration.ofMillis(500)));
    assertEquals("2s", Durations.format(Duration.ofSeconds(2)));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("soon"));
  }

  @Test
  void configDirFollowsXdg() {
    assertEquals(Path.of("/x/vecino"), Defaults.configDir(Map.of("XDG_CONFIG_HOME", "/x"), "/home/u"));
    assertEquals(Path.of("/home/u/.config/vecino"), Defaults.configDir(Map.of(), "/home/u"));
    assertEquals(Path.of("/home/u/.config/vecino"),
        Defaults.configDir(Map.of("XDG_CONFIG_HOME", "relative"), "/home/u"));
  }

  @Test
  void hostNameComesFromEnvironmentFirst() {
    assertEquals("box", Defaults.hostName(Map.of("HOSTNAME", "box")));
  }

  @Test
  void chatIsTheDefaultSubcommand() {
    assertArrayEquals(new String[] {"chat"}, MainAccess.withDefault());
    assertArrayEquals(new String[] {"chat", "--port", "0"}, MainAccess.withDefault("--port", "0"));
    assertArrayEquals(new String[] {"scan", "x"}, MainAccess.withDefault("scan", "x"));
    assertArrayEquals(new String[] {"--help"}, MainAccess.withDefault("--help"));
  }

  @Test
  void badArgumentsExitTwoWithAOneLineHint() {
    StringWriter err = new StringWriter();
    int code = MainAccess.run(new PrintWriter(new StringWriter()), new PrintWriter(err),
        "send", "nohost", "hi");
    assertEquals(2, code);
    String[] lines = err.toString().split("\\R");
    assertEquals(2, lines.length, err.toString());
    assertTrue(lines[0].contains("bad address 'nohost': expected host:port"), lines[0]);
    assertEquals("Try 'vecino send --help' for more information.", lines[1]);
  }

  @Test
  void everySubcommandHasHelpAndVersion() {
    for (String cmd : new String[] {"chat", "scan", "send", "echo-server", "echo-client", "id", "secret"}) {
      StringWriter out = new StringWriter();
      assertEquals(0, MainAccess.run(new PrintWriter(out), new PrintWriter(new StringWriter()),
          cmd, "--help"));
      assertTrue(out.toString().contains("Usage: vecino " + cmd), out.toString());
      out = new StringWriter();
      assertEquals(0, MainAccess.run(new PrintWriter(out), new PrintWriter(new StringWriter()),
          cmd, "--version"));
      assertTrue(out.toString().startsWith("vecino "), out.toString());
    }
  }

  @Test
  void refusalsByAdmissionAndTlsMismatchesSayWhatToDo() {
    DisconnectReason reason = DisconnectReason.of(DisconnectReason.Kind.NOT_ADMITTED,
        "the acceptor 127.0.0.1:9999 admits only nodes with its group secret, and the initiator 127.0.0.1:4000 has none");
    assertEquals("not admitted: " + reason.detail(),
        Errors.connectFailure(new NotAdmittedException("127.0.0.1:9999 and this node did not admit each other", reason)));
    assertEquals("not admitted (group secret, key allowlist or pairing)", Errors.notAdmitted(""));
    DisconnectReason v = DisconnectReason.of(DisconnectReason.Kind.VERSION_UNSUPPORTED, "");
    assertEquals("it is a plaintext or older Vecino node and this one requires TLS; to talk to it, use --plaintext",
        Errors.connectFailure(new UnsupportedVersionException("x: protocol version 1..1 unsupported; this node speaks "
            + "2..2 (x is a plaintext or older Vecino node; this node requires TLS)", v)));
    assertEquals("it is a secure Vecino node (TLS) and this one is plaintext; to talk to it, drop --plaintext",
        Errors.connectFailure(new UnsupportedVersionException("x: protocol version 2..2 unsupported; this node speaks "
            + "1..1 (x is a secure Vecino node; this node is plaintext)", v)));
    assertEquals("no common protocol version (x: 9..9)",
        Errors.connectFailure(new UnsupportedVersionException("x: 9..9", v)));
  }
}
