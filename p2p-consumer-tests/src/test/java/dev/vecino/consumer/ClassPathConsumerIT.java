package dev.vecino.consumer;

import static dev.vecino.consumer.Consumers.coreJar;
import static dev.vecino.consumer.Consumers.path;
import static dev.vecino.consumer.Consumers.slf4jApiJar;
import static dev.vecino.consumer.Consumers.slf4jSimpleJar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The same jar works for applications that know nothing of modules. */
@Timeout(120)
class ClassPathConsumerIT {

  @Test
  void classPathApplicationCompilesAndRuns() throws Exception {
    Path work = Consumers.scratch("classpath");
    Path classes = work.resolve("classes");
    Consumers.Compilation compiled = Consumers.compile(Consumers.sources("classpath"), classes,
        List.of("--class-path", path(coreJar(), slf4jApiJar())));
    assertTrue(compiled.success(), compiled.diagnostics());

    Consumers.Run run = Consumers.java(work, List.of(
        "--class-path", path(classes, coreJar(), slf4jApiJar(), slf4jSimpleJar()),
        "demo.classpath.Main"));

    assertEquals(0, run.exitCode(), run.describe());
    assertTrue(run.out().contains("received 'hola from the class path' from ana"), run.describe());
    assertTrue(run.out().contains("core module named: false"), run.describe());
    // Peer and PeerNode are sealed, their implementations in another package: the JVM loads
    // them on the class path too (one unnamed module, public permitted classes).
    assertTrue(run.out().contains("peers listed: 1"), run.describe());
    assertTrue(run.err().contains(": started, group 'vecino', listening on 127.0.0.1:"),
        "Vecino's INFO log should reach slf4j-simple on the class path\n" + run.describe());
  }

  @Test
  void peerAndPeerNodeCannotBeImplementedOutsideTheLibrary() throws Exception {
    Path work = Consumers.scratch("foreign");
    Consumers.Compilation compiled = Consumers.compile(Consumers.sources("foreign"), work.resolve("classes"),
        List.of("--class-path", path(coreJar(), slf4jApiJar())));
    assertFalse(compiled.success(), "Peer and PeerNode are sealed: a class of the application must not implement them");
    // javac: "class is not allowed to extend sealed class: dev.vecino.p2p.Peer (as it is not
    // listed in its permits clause)".
    for (String type : List.of("Peer", "PeerNode")) {
      assertTrue(compiled.diagnostics().contains("not allowed to extend sealed class: dev.vecino.p2p." + type + " "),
          type + ":\n" + compiled.diagnostics());
    }
  }

  @Test
  void runsWithoutAnyLoggingProvider() throws Exception {
    Path work = Consumers.scratch("classpath-nolog");
    Path classes = work.resolve("classes");
    Consumers.Compilation compiled = Consumers.compile(Consumers.sources("classpath"), classes,
        List.of("--class-path", path(coreJar(), slf4jApiJar())));
    assertTrue(compiled.success(), compiled.diagnostics());

    // Only slf4j-api: SLF4J falls back to its no-op logger, and Vecino must not care.
    Consumers.Run run = Consumers.java(work, List.of(
        "--class-path", path(classes, coreJar(), slf4jApiJar()), "demo.classpath.Main"));

    assertEquals(0, run.exitCode(), run.describe());
    assertTrue(run.out().contains("received 'hola from the class path' from ana"), run.describe());
  }
}
