package dev.vecino.p2p.testkit.compat;

import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.testkit.Await;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A node of an older p2p-core version (the jar under {@code compat/}) in a child JVM, driven by
 * {@link CompatNodeMain} over its stdin and stdout.
 */
public final class CompatNode implements AutoCloseable {

  /** The checked-in jar of p2p-core at commit 6a29797 (see compat/README.md). */
  public static final String JAR_6A29797 = "/compat/p2p-core-6a29797.jar";

  private final Process process;
  private final Writer commands;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final InetSocketAddress address;

  private CompatNode(Process process, String host) throws IOException {
    this.process = process;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("STDOUT-FAILED " + e);
      }
    }, "test-compat-node-out");
    reader.setDaemon(true);
    reader.start();
    Await.until("the child node to start: " + lines, Duration.ofSeconds(20),
        () -> lines.stream().anyMatch(l -> l.startsWith("READY ")) || !process.isAlive());
    String ready = lines.stream().filter(l -> l.startsWith("READY ")).findFirst()
        .orElseThrow(() -> new IOException("child node did not start: " + lines));
    this.address = new InetSocketAddress(host, Integer.parseInt(ready.substring(6)));
  }

  /**
   * Starts a node of the version in {@code jar} (a test resource) listening on {@code host}.
   *
   * @param jar the resource path of the p2p-core jar
   * @param host a 127.x address to bind
   * @param name the node's name
   * @param id the node's id
   * @return the running node
   */
  public static CompatNode start(String jar, String host, String name, PeerId id) throws IOException {
    String classPath = String.join(File.pathSeparator, resourcePath(jar), slf4jApi(),
        codeSource(CompatNodeMain.class));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    // No SLF4J binding: the child's logs are off, and so is slf4j's note about it.
    Process p = new ProcessBuilder(java.toString(), "-Xmx64m", "-Dslf4j.internal.verbosity=ERROR", "-cp", classPath,
        CompatNodeMain.class.getName(),
        host, name, id.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    return new CompatNode(p, host);
  }

  private static String resourcePath(String resource) {
    try {
      return Path.of(CompatNode.class.getResource(resource).toURI()).toString();
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource " + resource, e);
    }
  }

  private static String codeSource(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** slf4j-api from the test class path (the old jar needs it; no binding: its logs are off). */
  private static String slf4jApi() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> new File(e).getName().startsWith("slf4j-api"))
        .findFirst().orElseThrow(() -> new IllegalStateException("slf4j-api is not on the test class path"));
  }

  /** The node's listening address. */
  public InetSocketAddress address() {
    return address;
  }

  /** Connects the child node to {@code target}; waits for the outcome line. */
  public String connect(InetSocketAddress target) throws IOException {
    int before = lines.size();
    command("CONNECT " + target.getAddress().getHostAddress() + " " + target.getPort());
    Await.until("the child's connect to finish: " + lines, () -> lines.stream().skip(before)
        .anyMatch(l -> l.startsWith("CONNECT-OK") || l.startsWith("CONNECT-FAILED")));
    return lines.stream().skip(before).filter(l -> l.startsWith("CONNECT-")).findFirst().orElseThrow();
  }

  /** Sends {@code text} to every peer of the child node. */
  public void sendToAll(String text) throws IOException {
    command("SEND " + text);
  }

  private void command(String line) throws IOException {
    commands.write(line + "\n");
    commands.flush();
  }

  /** The texts the child node received, in order. */
  public List<String> messages() {
    return lines.stream().filter(l -> l.startsWith("MSG ")).map(l -> l.substring(4)).collect(Collectors.toList());
  }

  /** Every line the child printed so far. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** Closes stdin (the child closes its node and exits); kills it if it does not within 10 s. */
  @Override
  public void close() throws Exception {
    try {
      commands.close();
    } catch (IOException e) {
      // Already gone.
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
