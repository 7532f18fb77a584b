package dev.vecino.p2p.testkit;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.vecino.p2p.PeerNode;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The testkit uses p2p-core's public API only: no class of p2p-testkit depends on a p2p-core package
 * that its module descriptor does not export (issue 15). The rule is proven to fail on
 * {@code InternalUseArchFixture}, a class of test scope that uses an internal one.
 */
@Timeout(60)
class PublicApiOnlyTest {

  private static final String CORE = "dev.vecino.p2p";

  static {
    // Only the names of p2p-core's classes matter: they stay stubs, and the import stays fast.
    ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
  }

  /** The packages p2p-core's module descriptor exports, from the jar or classes holding PeerNode. */
  private static Set<String> exported() throws Exception {
    Path core = Path.of(PeerNode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ModuleDescriptor d = ModuleFinder.of(core).findAll().iterator().next().descriptor();
    return d.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toSet());
  }

  private static ArchRule publicApiOnly(Set<String> exported) {
    return noClasses().should().dependOnClassesThat(describe("p2p-core classes outside its exports " + exported,
        c -> isCore(c.getPackageName()) && !exported.contains(c.getPackageName())));
  }

  private static boolean isCore(String pkg) {
    return (pkg.equals(CORE) || pkg.startsWith(CORE + ".")) && !pkg.startsWith(CORE + ".testkit");
  }

  /** p2p-testkit's production classes, plus the test-scope fixture if asked. */
  private static JavaClasses classes(boolean withFixture) {
    ImportOption production = new ImportOption.DoNotIncludeTests();
    return new ClassFileImporter()
        .withImportOption(l -> production.includes(l) || (withFixture && l.contains("/InternalUseArchFixture.class")))
        .importPackages("dev.vecino.p2p.testkit");
  }

  @Test
  void usesThePublicApiOnly() throws Exception {
    publicApiOnly(exported()).check(classes(false));
  }

  @Test
  void theRuleFailsOnAClassThatUsesAnInternalOne() throws Exception {
    EvaluationResult result = publicApiOnly(exported()).evaluate(classes(true));
    assertTrue(result.hasViolation(), "the fixture uses dev.vecino.p2p.internal");
    assertTrue(result.getFailureReport().getDetails().stream().allMatch(d -> d.contains("InternalUseArchFixture")),
        result.getFailureReport().toString());
  }
}
