package dev.vecino.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.GroupSecret;
import dev.vecino.p2p.Identity;
import dev.vecino.p2p.PeerId;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security options and subcommands through {@link Main#run}: bad combinations and bad secret
 * files exit 2 before any node starts (nothing listens or connects), {@code secret} writes a
 * file the library loads and never replaces one, {@code id} prints the identity the chat uses.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SecurityCliTest {

  @TempDir
  Path tmp;

  /** What one run printed and returned. */
  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = MainAccess.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  private Path secret(String name) {
    Path file = tmp.resolve(name);
    GroupSecret.generate().writeNew(file);
    return file;
  }

  @Test
  void aSecretOrAllowlistWithThePlaintextCodecsIsAUsageError() {
    Path secret = secret("team.secret");
    Run chat = run("chat", "--codec", "line", "--secret-file", secret.toString(), "--port", "0",
        "--bind", "127.0.0.1", "--config-dir", tmp.resolve("c").toString());
    assertEquals(2, chat.code(), chat.err());
    assertTrue(chat.err().startsWith("vecino chat: --secret-file needs the framed codec: --codec line speaks "
        + "plaintext"), chat.err());
    Run scan = run("scan", "127.0.0.1", "--codec", "classic", "--allow-key",
        "AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA");
    assertEquals(2, scan.code(), scan.err());
    assertTrue(scan.err().contains("--allow-key needs the framed codec"), scan.err());
    Run send = run("send", "127.0.0.1:1", "hola", "--plaintext", "--secret-file", secret.toString());
    assertEquals(2, send.code(), send.err());
    assertTrue(send.err().contains("--secret-file needs TLS: it cannot be combined with --plaintext"), send.err());
    assertFalse(Files.exists(tmp.resolve("c")), "no chat started");
  }

  @Test
  void aSecretFileOthersCanReadIsRefusedWithTheLibrarysReasonAndExitTwo() throws IOException {
    Path secret = secret("open.secret");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r-----"));
    for (String cmd : new String[] {"send", "echo-client"}) {
      Run r = run(cmd, "127.0.0.1:1", cmd.equals("send") ? "hola" : "--count=1", "--secret-file", secret.toString());
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().startsWith("error: secret file " + secret + " is accessible by others"), r.err());
      assertTrue(r.err().contains("chmod 600 " + secret), r.err());
    }
    Run missing = run("scan", "127.0.0.1", "--secret-file", tmp.resolve("nope").toString());
    assertEquals(2, missing.code(), missing.err());
    assertEquals("error: no secret file " + tmp.resolve("nope") + " (make one with: vecino secret "
        + tmp.resolve("nope") + ")", missing.err().strip());
  }

  @Test
  void pairingNeedsTlsAndAPeerStoreOthersCanReadStopsTheChat() throws IOException {
    Run plain = run("chat", "--pairing", "--plaintext", "--port", "0", "--bind", "127.0.0.1", "--config-dir",
        tmp.resolve("p").toString());
    assertEquals(2, plain.code(), plain.err());
    assertTrue(plain.err().startsWith("vecino chat: --pairing needs TLS: it cannot be combined with --plaintext"),
        plain.err());
    Run line = run("chat", "--pairing", "--codec", "line", "--port", "0", "--bind", "127.0.0.1", "--config-dir",
        tmp.resolve("p").toString());
    assertEquals(2, line.code(), line.err());
    assertTrue(line.err().contains("--pairing needs the framed codec: --codec line"), line.err());
    assertFalse(Files.exists(tmp.resolve("p")), "no chat started");
    Path dir = tmp.resolve("c");
    Files.createDirectories(dir);
    Path peers = dir.resolve("peers");
    Files.writeString(peers, "# vecino known peers v2\n");
    Files.setPosixFilePermissions(peers, PosixFilePermissions.fromString("rw-r--r--"));
    Run open = run("chat", "--pairing", "--port", "0", "--bind", "127.0.0.1", "--config-dir", dir.toString());
    assertEquals(2, open.code(), open.err());
    assertTrue(open.err().contains("the peer store " + peers + " is accessible by others"), open.err());
    assertTrue(open.err().contains("chmod 600 " + peers), open.err());
  }

  @Test
  void aMistypedFingerprintIsAUsageErrorNamingIt() {
    Run r = run("send", "127.0.0.1:1", "hola", "--allow-key", "not-a-fingerprint");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().startsWith("vecino send: bad --allow-key 'not-a-fingerprint': "), r.err());
  }

  @Test
  void secretWritesAnOwnerOnlyFileTheLibraryLoadsAndNeverReplacesOne() throws IOException {
    Path file = tmp.resolve("dir").resolve("team.secret");
    Run first = run("secret", file.toString());
    assertEquals(0, first.code(), first.err());
    assertTrue(first.out().startsWith("wrote a new group secret to " + file), first.out());
    assertTrue(first.out().contains("--secret-file " + file), first.out());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    GroupSecret written = GroupSecret.load(file);
    String before = Files.readString(file, StandardCharsets.UTF_8);
    Run second = run("secret", file.toString());
    assertEquals(1, second.code(), second.out());
    assertTrue(second.err().startsWith("error: secret file " + file + " exists"), second.err());
    assertEquals(before, Files.readString(file, StandardCharsets.UTF_8));
    assertEquals(written, GroupSecret.load(file));
  }

  @Test
  void idPrintsTheIdAndFingerprintTheChatUsesAndCreatesThemOnce() {
    Path dir = tmp.resolve("cfg");
    Run text = run("id", "--config-dir", dir.toString());
    assertEquals(0, text.code(), text.err());
    Identity saved = Identity.load(dir.resolve("identity.properties"));
    String fingerprint = saved.key().orElseThrow().fingerprint();
    assertTrue(text.out().contains("id           " + saved.id() + " (short " + saved.id().shortId() + ")"), text.out());
    assertTrue(text.out().contains("fingerprint  " + fingerprint), text.out());
    assertTrue(text.out().contains("(key created now)"), text.out());
    Run json = run("id", "--config-dir", dir.toString(), "--json");
    assertEquals(0, json.code(), json.err());
    assertEquals("{\"type\":\"identity\",\"id\":\"" + saved.id() + "\",\"shortId\":\"" + saved.id().shortId()
        + "\",\"fingerprint\":\"" + fingerprint + "\",\"name\":\"" + saved.name() + "\",\"configDir\":\""
        + dir + "\",\"created\":false}", json.out().strip());
  }

  @Test
  void idGivesAnIdentityFromBeforeKeysItsKeyKeepingItsName() throws IOException {
    Path dir = tmp.resolve("old");
    Files.createDirectories(dir);
    PeerId old = PeerId.random();
    Files.writeString(dir.resolve("identity.properties"), "id=" + old + "\nname=ana\n", StandardCharsets.UTF_8);
    Run r = run("id", "--config-dir", dir.toString());
    assertEquals(0, r.code(), r.err());
    Identity now = Identity.load(dir.resolve("identity.properties"));
    assertEquals("ana", now.name());
    assertFalse(now.id().equals(old));
    assertTrue(r.out().contains(now.id().toString()) && r.out().contains("name         ana"), r.out());
    assertTrue(Files.readString(dir.resolve("identity.properties")).contains("previous-id=" + old));
  }
}
