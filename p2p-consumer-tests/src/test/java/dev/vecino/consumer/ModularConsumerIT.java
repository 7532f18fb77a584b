package dev.vecino.consumer;

import static dev.vecino.consumer.Consumers.coreJar;
import static dev.vecino.consumer.Consumers.path;
import static dev.vecino.consumer.Consumers.slf4jApiJar;
import static dev.vecino.consumer.Consumers.slf4jSimpleJar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** p2p-core's module descriptor, proved by a tiny modular application built against the jar. */
@Timeout(120)
class ModularConsumerIT {

  @Test
  void jarCarriesAnExplicitModuleExportingOnlyTheApiAndSpis() {
    Set<ModuleReference> found = ModuleFinder.of(coreJar()).findAll();
    assertEquals(1, found.size(), found::toString);
    ModuleDescriptor descriptor = found.iterator().next().descriptor();
    assertEquals("dev.vecino.p2p", descriptor.name());
    assertFalse(descriptor.isAutomatic(), "p2p-core must ship module-info.class, not an automatic name");
    Set<String> exports = descriptor.exports().stream()
        .map(e -> e.source() + (e.isQualified() ? " to " + e.targets() : ""))
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(List.of("dev.vecino.p2p", "dev.vecino.p2p.codec",
        "dev.vecino.p2p.discovery", "dev.vecino.p2p.scan", "dev.vecino.p2p.transport")), exports);
    assertTrue(descriptor.opens().isEmpty(), "nothing is opened for reflection: " + descriptor.opens());
    Set<String> requires = descriptor.requires().stream()
        .map(ModuleDescriptor.Requires::name)
        .filter(n -> !n.startsWith("java.") && !n.startsWith("jdk."))
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(Set.of("org.slf4j"), requires, "beyond the JDK, p2p-core needs nothing but the SLF4J API");
    ModuleDescriptor.Requires management = descriptor.requires().stream()
        .filter(r -> r.name().equals("jdk.management")).findFirst().orElseThrow();
    assertTrue(management.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC),
        "jdk.management (the fd count a scan's window respects) is optional: requires static");
  }

  @Test
  void scansOnTheModulePathWithAndWithoutJdkManagement() throws Exception {
    Path work = Consumers.scratch("scanning");
    Path classes = work.resolve("classes");
    Consumers.Compilation compiled = Consumers.compile(Consumers.sources("scanning"), classes,
        List.of("--module-path", path(coreJar(), slf4jApiJar())));
    assertTrue(compiled.success(), compiled.diagnostics());
    String modulePath = path(classes, coreJar(), slf4jApiJar(), slf4jSimpleJar());

    // java.management brings jdk.management in by service binding: the fd count is used.
    Consumers.Run full = Consumers.java(work, List.of(
        "--module-path", modulePath, "--module", "demo.scanning/demo.scanning.Main"));
    assertEquals(0, full.exitCode(), full.describe());
    assertTrue(full.out().contains("peers found: 1"), full.describe());
    assertTrue(full.out().contains("jdk.management present: true"), full.describe());

    // As in a jlink image without jdk.management: the scan still runs, bounded by its window.
    // (jdk.crypto.ec stays: on JDK 17 to 21 it provides the P-256 keys of secure nodes.)
    Consumers.Run limited = Consumers.java(work, List.of("--limit-modules",
        "demo.scanning,org.slf4j.simple,jdk.crypto.ec", "--module-path", modulePath,
        "--module", "demo.scanning/demo.scanning.Main"));
    assertEquals(0, limited.exitCode(), limited.describe());
    assertTrue(limited.out().contains("peers found: 1"), limited.describe());
    assertTrue(limited.out().contains("jdk.management present: false"), limited.describe());
  }

  @Test
  void modularApplicationCompilesAndRunsOnTheModulePath() throws Exception {
    Path work = Consumers.scratch("modular");
    Path classes = work.resolve("classes");
    Consumers.Compilation compiled = Consumers.compile(Consumers.sources("modular"), classes,
        List.of("--module-path", path(coreJar(), slf4jApiJar())));
    assertTrue(compiled.success(), compiled.diagnostics());

    // slf4j-simple is on the module path but required by nobody: service binding must find it.
    Consumers.Run run = Consumers.java(work, List.of(
        "--module-path", path(classes, coreJar(), slf4jApiJar(), slf4jSimpleJar()),
        "--module", "demo.modular/demo.modular.Main"));

    assertEquals(0, run.exitCode(), run.describe());
    assertTrue(run.out().contains("received 'hola from a module' from ana"), run.describe());
    assertTrue(run.out().contains("core module: dev.vecino.p2p (explicit)"), run.describe());
    assertTrue(run.out().contains("consumer module: demo.modular"), run.describe());
    assertTrue(run.out().contains("internal exported: false"), run.describe());
    assertTrue(run.err().contains(": started, group 'vecino', listening on 127.0.0.1:"),
        "Vecino's INFO log should reach slf4j-simple on the module path\n" + run.describe());
    assertFalse(run.err().contains("No SLF4J providers"), run.describe());
  }

  @Test
  void internalPackageIsInvisibleToModules() throws Exception {
    Path work = Consumers.scratch("sneaky");
    Consumers.Compilation compiled = Consumers.compile(Consumers.sources("sneaky"), work.resolve("classes"),
        List.of("--module-path", path(coreJar(), slf4jApiJar())));
    assertFalse(compiled.success(), "a module must not compile against dev.vecino.p2p.internal");
    // javac: "package dev.vecino.p2p.internal is not visible (... which does not export it)".
    assertTrue(compiled.diagnostics().contains("package dev.vecino.p2p.internal is not visible"),
        compiled.diagnostics());
  }
}
