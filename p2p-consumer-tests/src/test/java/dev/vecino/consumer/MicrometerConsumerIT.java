package dev.vecino.consumer;

import static dev.vecino.consumer.Consumers.coreJar;
import static dev.vecino.consumer.Consumers.micrometerJar;
import static dev.vecino.consumer.Consumers.micrometerLibraries;
import static dev.vecino.consumer.Consumers.slf4jApiJar;
import static dev.vecino.consumer.Consumers.slf4jSimpleJar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * p2p-micrometer and the core's MXBean, used as an application would: a program that binds a
 * node's meters and reads its MXBean, compiled and run against the built jars on the class path
 * and on the module path.
 */
@Timeout(120)
class MicrometerConsumerIT {

  /** The jars the program needs, {@code extra} (its own classes, or null) first. */
  private static String path(Path extra, boolean withProvider) {
    List<Path> entries = new ArrayList<>();
    if (extra != null) {
      entries.add(extra);
    }
    entries.addAll(List.of(micrometerJar(), coreJar(), slf4jApiJar()));
    entries.addAll(Arrays.asList(micrometerLibraries()));
    if (withProvider) {
      entries.add(slf4jSimpleJar());
    }
    return Consumers.path(entries.toArray(Path[]::new));
  }

  private static void assertRan(Consumers.Run run) {
    assertEquals(0, run.exitCode(), run.describe());
    assertTrue(run.out().contains("vecino.messages.out: 1.0"), run.describe());
    assertTrue(run.out().contains("MXBean connections: 1, messages out: 1"), run.describe());
  }

  @Test
  void jarCarriesAnExplicitModuleThatNeedsOnlyCoreAndMicrometer() {
    Set<ModuleReference> found = ModuleFinder.of(micrometerJar()).findAll();
    assertEquals(1, found.size(), found::toString);
    ModuleDescriptor descriptor = found.iterator().next().descriptor();
    assertEquals("dev.vecino.p2p.micrometer", descriptor.name());
    assertFalse(descriptor.isAutomatic(), "p2p-micrometer must ship module-info.class");
    assertEquals(Set.of("dev.vecino.p2p.micrometer"),
        descriptor.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    assertEquals(Set.of("dev.vecino.p2p", "micrometer.core"), descriptor.requires().stream()
        .map(ModuleDescriptor.Requires::name).filter(n -> !n.startsWith("java.")).collect(Collectors.toSet()));
  }

  @Test
  void classPathApplicationBindsTheMetersAndReadsTheMxBean() throws Exception {
    Path work = Consumers.scratch("metrics-classpath");
    Path classes = work.resolve("classes");
    Consumers.Compilation compiled = Consumers.compile(Consumers.sources("metrics"), classes,
        List.of("--class-path", path(null, false)));
    assertTrue(compiled.success(), compiled.diagnostics());

    Consumers.Run run = Consumers.java(work, List.of("--class-path", path(classes, true), "demo.metrics.Main"));

    assertRan(run);
    assertTrue(run.out().contains("metrics module: null"), run.describe());
  }

  @Test
  void modularApplicationBindsTheMetersAndReadsTheMxBean() throws Exception {
    Path work = Consumers.scratch("metrics-modular");
    Path classes = work.resolve("classes");
    Consumers.Compilation compiled = Consumers.compile(
        List.of(Consumers.sources("metrics-module"), Consumers.sources("metrics")), classes,
        List.of("--module-path", path(null, false)));
    assertTrue(compiled.success(), compiled.diagnostics());

    // The MXBean interface is in an exported package: JMX reaches it from outside the module.
    Consumers.Run run = Consumers.java(work, List.of("--module-path", path(classes, true),
        "--module", "demo.metrics/demo.metrics.Main"));

    assertRan(run);
    assertTrue(run.out().contains("metrics module: dev.vecino.p2p.micrometer"), run.describe());
  }
}
