package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * p2p-core keeps the package design of {@link ArchitectureRules}: each rule holds on the
 * production classes, and each fails once a deliberately bad class of test scope (an
 * {@code *ArchFixture}) is imported with them, so a rule that could never fail would show here.
 */
@Timeout(120)
class ArchitectureTest {

  private static final Set<String> EXPORTED = ArchitectureRules.exportedPackages();
  private static final JavaClasses PRODUCTION = importWith(null);

  /** The production classes, plus the test-scope fixture of that simple name if given. */
  private static JavaClasses importWith(String fixture) {
    ImportOption production = new ImportOption.DoNotIncludeTests();
    return new ClassFileImporter()
        .withImportOption(l -> production.includes(l) || (fixture != null && l.contains("/" + fixture + ".class")))
        .importPackages(ArchitectureRules.ROOT);
  }

  private static void failsOn(ArchRule rule, String fixture) {
    EvaluationResult result = rule.evaluate(importWith(fixture));
    assertTrue(result.hasViolation(), "the rule must fail on " + fixture + ": " + rule.getDescription());
    List<String> details = result.getFailureReport().getDetails();
    assertTrue(details.stream().allMatch(d -> d.contains(fixture)), "only the fixture breaks it: " + details);
  }

  @Test
  void theModuleExportsTheApiAndSpiPackagesOnly() {
    assertEquals(Set.of("dev.vecino.p2p", "dev.vecino.p2p.codec", "dev.vecino.p2p.discovery", "dev.vecino.p2p.scan",
        "dev.vecino.p2p.transport"), EXPORTED);
  }

  @Test
  void apiSignaturesExposeNoInternalTypes() {
    ArchRule rule = ArchitectureRules.apiExposesNoInternalTypes(EXPORTED);
    rule.check(PRODUCTION);
    failsOn(rule, "LeakyApiArchFixture");
  }

  @Test
  void codecKnowsNoSocketsOrPeers() {
    ArchRule rule = ArchitectureRules.codecKnowsNoSocketsOrPeers();
    rule.check(PRODUCTION);
    failsOn(rule, "SocketCodecArchFixture");
    failsOn(rule, "PeerCodecArchFixture");
  }

  @Test
  void transportKnowsNoCodec() {
    ArchRule rule = ArchitectureRules.transportKnowsNoCodec();
    rule.check(PRODUCTION);
    failsOn(rule, "CodecTransportArchFixture");
  }

  @Test
  void exportedPackagesReachInternalOnlyThroughTheDoors() {
    ArchRule rule = ArchitectureRules.exportedPackagesUseInternalOnlyThroughDoors(EXPORTED);
    rule.check(PRODUCTION);
    failsOn(rule, "LeakyApiArchFixture");
    // A permits clause is no dependency to ArchUnit: the rule reads it itself.
    Map<String, Set<String>> withoutSealing = new HashMap<>(ArchitectureRules.DOORS);
    withoutSealing.remove("dev.vecino.p2p.PeerNode");
    EvaluationResult unlisted = ArchitectureRules.exportedPackagesUseInternalOnlyThroughDoors(EXPORTED, withoutSealing)
        .evaluate(PRODUCTION);
    assertEquals(List.of("dev.vecino.p2p.PeerNode permits dev.vecino.p2p.internal.Node"),
        unlisted.getFailureReport().getDetails());
  }

  @Test
  void packagesHaveNoCyclesBeyondTheListedEdges() {
    ArchRule rule = ArchitectureRules.noPackageCycles();
    rule.check(PRODUCTION);
    failsOn(rule, "CycleScanArchFixture");
    // An upward edge to an API type that is not listed closes the api⇄codec cycle.
    failsOn(rule, "UpwardCodecArchFixture");
  }
}
