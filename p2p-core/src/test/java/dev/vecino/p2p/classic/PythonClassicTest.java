package dev.vecino.p2p.classic;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vecino.p2p.Await;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.Recorder;
import dev.vecino.p2p.codec.Codec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Vecino in classic mode against a tiny Python script of our own ({@code classic/classic_chat.py})
 * that behaves like the original. Skipped, with a message, when {@code python3} is absent.
 */
@Timeout(60)
class PythonClassicTest {

  private static final HexFormat HEX = HexFormat.of();

  @BeforeAll
  static void needsPython() {
    boolean ok;
    try {
      Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      ok = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      ok = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ok = false;
    }
    assumeTrue(ok, "python3 is not installed: skipping the interop test against the Python script");
  }

  /** The script as a process: its output lines collected by a reader thread. */
  private static final class Script implements AutoCloseable {
    final Process process;
    final Writer in;
    final List<String> lines = new CopyOnWriteArrayList<>();

    Script(String... args) throws IOException, URISyntaxException {
      Path script = Path.of(PythonClassicTest.class.getResource("/classic/classic_chat.py").toURI());
      List<String> cmd = new java.util.ArrayList<>(List.of("python3", "-u", script.toString()));
      cmd.addAll(List.of(args));
      process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      in = new java.io.OutputStreamWriter(process.getOutputStream(), UTF_8);
      Thread t = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
          String l;
          while ((l = r.readLine()) != null) {
            lines.add(l);
          }
        } catch (IOException e) {
          // The process ended.
        }
      }, "python-reader");
      t.setDaemon(true);
      t.start();
    }

    void command(String c) throws IOException {
      in.write(c + "\n");
      in.flush();
    }

    String received(String kind) {
      StringBuilder b = new StringBuilder();
      for (String l : lines) {
        if (l.startsWith(kind + " ")) {
          b.append(new String(HEX.parseHex(l.substring(kind.length() + 1)), UTF_8));
        }
      }
      return b.toString();
    }

    @Override
    public void close() throws Exception {
      try {
        command("quit");
      } catch (IOException e) {
        // Already gone.
      }
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  @Test
  void vecinoConnectsToThePythonChat() throws Exception {
    Recorder r = new Recorder();
    try (Script py = new Script("serve");
         PeerNode ana = PeerNode.builder().name("ana").bindAddress("127.0.0.1").codec(Codec.classic())
             .listener(r).build().start()) {
      String port = Await.until("python listens", () -> py.lines.stream().anyMatch(l -> l.startsWith("listening")),
          () -> py.lines.get(0).substring("listening ".length()));
      Peer p = ana.connect("127.0.0.1", Integer.parseInt(port)).get(5, TimeUnit.SECONDS);
      assertEquals("Vecino_1", p.name());
      ana.send(p, "¿qué tal?").get(5, TimeUnit.SECONDS);
      Await.until("python got it", () -> py.received("msg").equals("¿qué tal?"));
      py.command("send " + HEX.formatHex("¡muy bien, señora!".getBytes(UTF_8)));
      Await.until("ana got it", () -> r.allText().equals("¡muy bien, señora!"));
      py.command("call 127.0.0.1 " + HEX.formatHex("baja".getBytes(UTF_8)));
      Await.until("ana got the call", () -> r.texts(MessageKind.CALL).equals(List.of("baja")));
      ana.call(p, "subo").get(5, TimeUnit.SECONDS);
      Await.until("python saw a call", () -> py.received("call").contains("llamado desde 127.0.0.1"));
      Await.until("with its text", () -> (py.received("call") + py.received("msg")).contains("subo"));
    }
  }

  @Test
  void thePythonChatConnectsToVecino() throws Exception {
    Recorder r = new Recorder();
    try (PeerNode ana = PeerNode.builder().name("ana").bindAddress("127.0.0.1").codec(Codec.classic())
             .listener(r).build().start();
         Script py = new Script("connect", "127.0.0.1", String.valueOf(ana.localAddress().getPort()))) {
      Await.until("python read our greeting", () -> py.received("greeting").equals("ana"));
      py.command("send " + HEX.formatHex("hola, Ana".getBytes(UTF_8)));
      Await.until("ana got it", () -> r.allText().equals("hola, Ana"));
      ana.send(r.messages.get(0).sender(), "hola, Python").get(5, TimeUnit.SECONDS);
      Await.until("python got it", () -> py.received("msg").equals("hola, Python"));
    }
  }
}
