package dev.vecino.examples.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;

/**
 * The stand-in for the original Python LAN chat that p2p-core's interop tests use
 * ({@code classic/classic_chat.py}, path in the system property {@code vecino.classicScript}),
 * run as a process. Aborts the test, with a message, when {@code python3} is absent.
 *
 * <p><b>Thread safety:</b> one reader thread appends output lines to a concurrent list and
 * notifies the object monitor, on which {@link #await} waits.
 */
final class ClassicScript implements AutoCloseable {

  private static final HexFormat HEX = HexFormat.of();

  private final Process process;
  private final Writer in;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private boolean ended;

  private ClassicScript(Process process) {
    this.process = process;
    this.in = new OutputStreamWriter(process.getOutputStream(), UTF_8);
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
        String l;
        while ((l = r.readLine()) != null) {
          synchronized (this) {
            lines.add(l);
            notifyAll();
          }
        }
      } catch (IOException e) {
        // The process ended: the lines so far are all there is.
      } finally {
        synchronized (this) {
          ended = true;
          notifyAll();
        }
      }
    }, "it-classic-script");
    t.setDaemon(true);
    t.start();
  }

  /** Starts the script listening on an ephemeral 127.0.0.1 port; returns once it listens. */
  static ClassicScript serve() throws IOException {
    Path script = Path.of(System.getProperty("vecino.classicScript", "classic_chat.py"));
    Assumptions.assumeTrue(Files.isRegularFile(script), "no classic_chat.py at " + script);
    Assumptions.assumeTrue(pythonPresent(), "python3 is not installed: skipping the interop test");
    Process p = new ProcessBuilder("python3", "-u", script.toString(), "serve")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    ClassicScript s = new ClassicScript(p);
    s.await("it listens", () -> s.port() > 0);
    return s;
  }

  /** Returns the port it listens on, or 0 before it said so. */
  int port() {
    return lines.stream().filter(l -> l.startsWith("listening ")).findFirst()
        .map(l -> Integer.parseInt(l.substring("listening ".length()))).orElse(0);
  }

  /** Returns the text of every received chunk of this kind ({@code msg}, {@code call}), joined. */
  String received(String kind) {
    StringBuilder b = new StringBuilder();
    for (String l : lines) {
      if (l.startsWith(kind + " ")) {
        b.append(new String(HEX.parseHex(l.substring(kind.length() + 1)), UTF_8));
      }
    }
    return b.toString();
  }

  /** Waits until {@code condition} holds, checked at each output line, failing after {@link VecinoProcess#WAIT}. */
  synchronized void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + VecinoProcess.WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || ended) {
        throw new AssertionError("classic script: not " + what + "; output: " + new ArrayList<>(lines));
      }
      try {
        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  private static boolean pythonPresent() {
    try {
      Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() throws Exception {
    try {
      in.write("quit\n");
      in.flush();
    } catch (IOException e) {
      // Already gone.
    }
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
