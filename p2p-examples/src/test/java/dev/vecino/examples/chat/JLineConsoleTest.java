package dev.vecino.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The terminal console on a JLine terminal over pipes (a dumb one: an xterm over a pty would
 * need a controlling terminal for Ctrl-C, and its reads cannot time out): the progress bar in
 * front of the prompt (with its {@code %} shown, not read as a prompt escape), lines printed
 * above it. What Ctrl-C and Ctrl-D do is tested at the session ({@code ChatOperationsTest},
 * {@code ChatSessionTest}, which get them from the console as {@link Console.Interrupted} and
 * end of input) and by signals to the real jar ({@code ConsoleIT}).
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class JLineConsoleTest {

  private final PipedOutputStream keys = new PipedOutputStream();
  private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
  private Terminal terminal;
  private JLineConsole console;

  @BeforeEach
  void open() throws Exception {
    terminal = TerminalBuilder.builder().system(false).dumb(true).type("dumb")
        .streams(new PipedInputStream(keys, 1 << 16), screen).build();
    console = JLineConsole.on(terminal, text -> "E " + text);
  }

  @AfterEach
  void close() {
    console.close();
  }

  private void type(String s) throws Exception {
    keys.write(s.getBytes(StandardCharsets.UTF_8));
    keys.flush();
  }

  @Test
  void theProgressBarIsDrawnInFrontOfThePromptWhileItReads() throws Exception {
    CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> console.readLine(""));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!screen.toString(StandardCharsets.UTF_8).contains("> ")) {
      assertTrue(System.nanoTime() < deadline, "no prompt");
      Thread.onSpinWait();
    }
    console.progress("[###...] 50% 2/4, 0 peers");
    console.println("+ bob joined");
    type("x\r");
    assertEquals("x", line.get(10, TimeUnit.SECONDS));
    String shown = screen.toString(StandardCharsets.UTF_8);
    assertTrue(shown.contains("[###...] 50% 2/4, 0 peers > "), shown);
    assertTrue(shown.contains("+ bob joined"), shown);
    assertFalse(shown.contains("0 peers+ bob") || shown.contains("0 peers[") , "a line never follows the bar: " + shown);
  }

}
