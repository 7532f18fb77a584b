package dev.vecino.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real chats on 127.0.62.x with the security options: a group secret made by {@code vecino
 * secret} admits its members and refuses others with a clear reason on both sides, revealing no
 * name; {@code /keys} shows the fingerprint {@code vecino id} printed; a {@code --plaintext} chat
 * and a secure one refuse each other, each initiator saying which option lets them talk.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SecurityIT {

  @TempDir
  Path tmp;

  /** Runs {@code vecino secret FILE} and returns the file. */
  private Path secret(String name) throws Exception {
    Path file = tmp.resolve(name);
    try (VecinoProcess p = VecinoProcess.start("secret", "secret", file.toString())) {
      p.awaitOut("wrote a new group secret to " + file);
      assertEquals(0, p.awaitExit(), p.dump());
    }
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    return file;
  }

  /** Runs {@code vecino id} on a config directory and returns the fingerprint it printed. */
  private static String fingerprint(Path configDir) throws Exception {
    try (VecinoProcess p = VecinoProcess.start("id", "id", "--config-dir", configDir.toString())) {
      String line = p.awaitOut("fingerprint  ");
      assertEquals(0, p.awaitExit(), p.dump());
      return line.substring("fingerprint  ".length()).strip();
    }
  }

  @Test
  void twoChatsWithTheSameSecretFileTalkAndKeysShowsTheFingerprintIdPrinted() throws Exception {
    Path team = secret("team.secret");
    String bobs = fingerprint(tmp.resolve("bob"));
    try (VecinoProcess ana = VecinoProcess.chatOn("127.0.62.1", "ana", tmp.resolve("ana"),
            "--secret-file", team.toString());
         VecinoProcess bob = VecinoProcess.chatOn("127.0.62.2", "bob", tmp.resolve("bob"),
             "--secret-file", team.toString(), "--connect", ana.address())) {
      ana.awaitOut("key fingerprint ");
      bob.awaitOut("key fingerprint " + bobs + " ");
      ana.awaitOut("+ bob joined from 127.0.62.2:");
      bob.send("hola, equipo");
      ana.awaitOut("] bob: hola, equipo");
      ana.send("/keys");
      String line = ana.awaitOut(bobs);
      assertTrue(line.matches("  1\\. bob \\[[0-9a-f]{8}]  127\\.0\\.62\\.2:\\d+  " + bobs), line);
    }
  }

  @Test
  void aChatWithAnotherSecretIsRefusedOnBothSidesAndLearnsNoName() throws Exception {
    Path team = secret("team.secret");
    Path other = secret("other.secret");
    try (VecinoProcess ana = VecinoProcess.chatOn("127.0.62.3", "ana", tmp.resolve("ana"),
            "--secret-file", team.toString());
         VecinoProcess eve = VecinoProcess.chatOn("127.0.62.4", "eve", tmp.resolve("eve"),
             "--secret-file", other.toString(), "--retries", "0")) {
      eve.send("/connect " + ana.address());
      String refused = eve.awaitErr("error: cannot connect to " + ana.address() + ": not admitted: ");
      assertTrue(refused.contains("group secret"), refused);
      String seen = ana.awaitErr("rejected inbound connection from 127.0.62.4:");
      assertTrue(seen.contains("not admitted: "), seen);
      eve.send("/peers");
      eve.awaitOut("no peers connected");
      assertEquals(0, ana.countOut("joined") + eve.countOut("joined"), ana.dump() + eve.dump());
      assertEquals(0, eve.outLines().stream().filter(l -> l.contains("ana")).count()
          + eve.errLines().stream().filter(l -> l.contains("ana")).count(), "no name reached eve" + eve.dump());
      assertEquals(0, ana.errLines().stream().filter(l -> l.contains("eve")).count(), ana.dump());
    }
  }

  @Test
  void aPlaintextChatAndASecureOneRefuseEachOtherSayingWhichOptionLetsThemTalk() throws Exception {
    try (VecinoProcess secure = VecinoProcess.chatOn("127.0.62.5", "sec", tmp.resolve("sec"),
            "--retries", "0");
         VecinoProcess plain = VecinoProcess.chatOn("127.0.62.6", "pla", tmp.resolve("pla"),
             "--plaintext", "--retries", "0")) {
      plain.awaitOut("plaintext (--plaintext): nothing is encrypted");
      plain.send("/connect " + secure.address());
      String line = plain.awaitErr("error: cannot connect to " + secure.address() + ": ");
      assertTrue(line.endsWith("it is a secure Vecino node (TLS) and this one is plaintext; to talk to it, drop "
          + "--plaintext"), line);
      secure.awaitErr("rejected inbound connection from 127.0.62.6:");
      secure.send("/connect " + plain.address());
      line = secure.awaitErr("error: cannot connect to " + plain.address() + ": ");
      assertTrue(line.endsWith("it is a plaintext or older Vecino node and this one requires TLS; to talk to it, "
          + "use --plaintext"), line);
      String seen = plain.awaitErr("rejected inbound connection from 127.0.62.5:");
      assertTrue(seen.contains("requires TLS"), seen);
      assertEquals(0, secure.countOut("joined") + plain.countOut("joined"), secure.dump() + plain.dump());
    }
  }
}
