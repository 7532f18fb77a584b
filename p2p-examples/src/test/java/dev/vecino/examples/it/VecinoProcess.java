package dev.vecino.examples.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code java -jar vecino.jar ...} as a subprocess with piped stdin, and collects its
 * stdout and stderr lines so tests can wait for one with a deadline.
 *
 * <p><b>Thread safety:</b> two reader threads append lines; waits use the object monitor.
 */
final class VecinoProcess implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(20);
  private static final Pattern LISTENING = Pattern.compile("(?:listening on|escuchando en) ([0-9.]+):(\\d+) (?:as|como) ");

  private final Process process;
  private final Writer stdin;
  private final List<String> out = new ArrayList<>();
  private final List<String> err = new ArrayList<>();
  private final String label;

  private VecinoProcess(String label, Process process) {
    this.label = label;
    this.process = process;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    pump(process.getInputStream(), out, label + "-out");
    pump(process.getErrorStream(), err, label + "-err");
  }

  /** Starts the jar with the given arguments. */
  static VecinoProcess start(String label, String... args) throws IOException {
    return start(label, List.of(), args);
  }

  /** Starts the jar with the given JVM options (e.g. {@code -Xmx32m}) and arguments. */
  static VecinoProcess start(String label, List<String> jvm, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xshare:auto");
    cmd.add("-XX:TieredStopAtLevel=1");
    cmd.addAll(jvm);
    cmd.add("-jar");
    cmd.add(jar());
    if (!List.of(args).contains("--lang") && Arrays.stream(args).noneMatch(a -> a.startsWith("--lang="))) {
      // Tests read English lines; the Spanish ones pass --lang es. Main takes --lang anywhere.
      cmd.add("--lang");
      cmd.add("en");
    }
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().remove("NO_COLOR");
    return new VecinoProcess(label, pb.start());
  }

  /** Starts any command (e.g. the distribution's launcher) and collects its output. */
  static VecinoProcess start(String label, ProcessBuilder command) throws IOException {
    return new VecinoProcess(label, command.start());
  }

  /** Starts a chat on 127.0.0.1, any free port, with its own config directory. */
  static VecinoProcess chat(String name, Path configDir, String... more) throws IOException {
    return chat(name, configDir, List.of(), more);
  }

  /** Starts a chat like {@link #chat(String, Path, String...)}, with JVM options. */
  static VecinoProcess chat(String name, Path configDir, List<String> jvm, String... more)
      throws IOException {
    return chatOn("127.0.0.1", name, configDir, jvm, more);
  }

  /** Starts a chat on {@code host} (a 127.x address of the test's own), any free port. */
  static VecinoProcess chatOn(String host, String name, Path configDir, String... more)
      throws IOException {
    return chatOn(host, name, configDir, List.of(), more);
  }

  private static VecinoProcess chatOn(String host, String name, Path configDir, List<String> jvm,
      String... more) throws IOException {
    List<String> args = new ArrayList<>(List.of("chat", "--name", name, "--bind", host,
        "--port", "0", "--config-dir", configDir.toString()));
    args.addAll(List.of(more));
    VecinoProcess p = start(name, jvm, args.toArray(String[]::new));
    p.awaitOut(LISTENING.asPredicate());
    return p;
  }

  static String jar() {
    String jar = System.getProperty("vecino.jar");
    if (jar == null) {
      throw new IllegalStateException("system property vecino.jar is not set (run with failsafe)");
    }
    return jar;
  }

  /** Returns the port from the chat's start-up line. */
  int port() {
    Matcher m = LISTENING.matcher(awaitOut(LISTENING.asPredicate()));
    if (!m.find()) {
      throw new AssertionError("no start-up line");
    }
    return Integer.parseInt(m.group(2));
  }

  /** Returns {@code host:port} from the chat's start-up line. */
  String address() {
    Matcher m = LISTENING.matcher(awaitOut(LISTENING.asPredicate()));
    if (!m.find()) {
      throw new AssertionError("no start-up line");
    }
    return m.group(1) + ":" + m.group(2);
  }

  /** Types one line. */
  VecinoProcess send(String line) throws IOException {
    stdin.write(line + "\n");
    stdin.flush();
    return this;
  }

  /** Closes stdin (end of input). */
  void closeStdin() throws IOException {
    stdin.close();
  }

  /** Waits for a stdout line containing {@code text}; returns it. */
  String awaitOut(String text) {
    return awaitOut(l -> l.contains(text));
  }

  /** Waits for a stdout line matching; returns it. */
  String awaitOut(Predicate<String> match) {
    return await(out, match, "stdout");
  }

  /** Waits for a stderr line containing {@code text}; returns it. */
  String awaitErr(String text) {
    return await(err, l -> l.contains(text), "stderr");
  }

  /** Returns how many stdout lines so far contain {@code text}. */
  synchronized long countOut(String text) {
    return out.stream().filter(l -> l.contains(text)).count();
  }

  /** Returns a copy of the stdout lines so far. */
  synchronized List<String> outLines() {
    return List.copyOf(out);
  }

  /** Returns a copy of the stderr lines so far. */
  synchronized List<String> errLines() {
    return List.copyOf(err);
  }

  /** Waits for the process to exit and returns its code. */
  int awaitExit() throws InterruptedException {
    if (!process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(label + " did not exit in " + WAIT + "; " + dump());
    }
    // Let the pumps drain the last lines before the caller inspects them.
    synchronized (this) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (pumpsOpen > 0 && System.nanoTime() < deadline) {
        wait(100);
      }
    }
    return process.exitValue();
  }

  /** Sends SIGINT, as Ctrl-C does. */
  void interrupt() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor();
  }

  /** Sends SIGTERM, as {@code kill} and service managers do. */
  void terminate() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-TERM", String.valueOf(process.pid())).start().waitFor();
  }

  long pid() {
    return process.pid();
  }

  String dump() {
    return "\n--- " + label + " stdout:\n" + String.join("\n", outLines())
        + "\n--- " + label + " stderr:\n" + String.join("\n", errLines());
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  private int pumpsOpen = 2;

  private void pump(InputStream in, List<String> sink, String name) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (this) {
            sink.add(line);
            notifyAll();
          }
        }
      } catch (IOException e) {
        // The process died: the lines so far are all there is.
      } finally {
        synchronized (this) {
          pumpsOpen--;
          notifyAll();
        }
      }
    }, "it-" + name);
    t.setDaemon(true);
    t.start();
  }

  private synchronized String await(List<String> lines, Predicate<String> match, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    int seen = 0;
    while (true) {
      for (; seen < lines.size(); seen++) {
        if (match.test(lines.get(seen))) {
          return lines.get(seen);
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(label + ": no matching " + what + " line within " + WAIT + dump());
      }
      if (pumpsOpen == 0) {
        throw new AssertionError(label + ": process ended without a matching " + what + " line"
            + dump());
      }
      try {
        wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
