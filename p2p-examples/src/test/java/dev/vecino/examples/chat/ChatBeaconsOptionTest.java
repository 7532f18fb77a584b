package dev.vecino.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code chat --beacons} (issue 17): off unless asked, and handed to the node's builder. No node
 * listens for beacons here: that would open a UDP socket on every interface.
 */
class ChatBeaconsOptionTest {

  private static boolean beacons(String... args) {
    CommandLine line = new CommandLine(new ChatCommand());
    line.parseArgs(args);
    return line.getCommandSpec().findOption("--beacons").getValue();
  }

  @Test
  void beaconsAreOffUnlessAsked() {
    assertFalse(beacons());
    assertFalse(beacons("--port", "0"));
    assertTrue(beacons("--beacons"));
  }

  @Test
  void theFlagReachesTheNodesBuilder() throws Exception {
    // The builder exposes no getter and a started node would listen on every interface, so the
    // wiring is checked where it is written: the one builder chain of the chat's node.
    String code = Files.readString(Path.of("src", "main", "java", "dev", "vecino", "examples", "chat",
        "ChatCommand.java"));
    assertEquals(1, code.split("\\.beacons\\(beacons\\)", -1).length - 1, "builder.beacons(beacons) once");
  }
}
