package dev.vecino.p2p;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SliceRule;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The package design of p2p-core, as ArchUnit rules over the compiled classes (issue 15).
 * {@link ArchitectureTest} checks them on the production classes and proves that each one fails
 * on a deliberately bad class in test scope.
 *
 * <pre>
 *   internal  -&gt; api, codec, discovery, scan, transport
 *   api       -&gt; codec, discovery, scan, transport; internal only through {@link #DOORS}
 *   discovery -&gt; scan
 *   codec     -&gt; api: only the values in {@link #UPWARD}
 *   scan      -&gt; api: only the values in {@link #UPWARD}
 *   transport -&gt; (nothing of Vecino's)
 * </pre>
 */
final class ArchitectureRules {

  static final String ROOT = "dev.vecino.p2p";
  static final String INTERNAL = "dev.vecino.p2p.internal..";

  /**
   * The only dependencies from an exported package into {@code internal}, by top-level class
   * (a sealed type's {@code permits} clause counts). The builder must create the node, and
   * without reflection or a service loader (the house style forbids both) that means naming an
   * internal class: it names one, {@code NodeConfig}, whose {@code newNode} is the door. The
   * sealed {@code PeerNode} and {@code Peer} name their one implementation each. {@code
   * Identity} validates names by the rules the HELLO decoder applies, which live once, in
   * {@code internal.Names}. {@code NodeKey} keeps its key file by the owner-only rules the group
   * secret file shares, and checks the curve the trust manager checks, both in {@code
   * internal.tls}. The key pair and the group secret never appear in the API: the builder hands
   * them to {@code internal.tls} ({@code NodeTls}, {@code SharedSecret}), and {@code GroupSecret}
   * is a face of {@code SharedSecret}.
   */
  static final Map<String, Set<String>> DOORS = Map.of(
      ROOT + ".PeerNodeBuilder", Set.of(ROOT + ".internal.NodeConfig", ROOT + ".internal.tls.NodeTls",
          ROOT + ".internal.tls.SharedSecret"),
      ROOT + ".GroupSecret", Set.of(ROOT + ".internal.tls.SharedSecret"),
      ROOT + ".PeerNode", Set.of(ROOT + ".internal.Node"),
      ROOT + ".Peer", Set.of(ROOT + ".internal.PeerHandle"),
      ROOT + ".Identity", Set.of(ROOT + ".internal.Names"),
      ROOT + ".NodeKey", Set.of(ROOT + ".internal.tls.OwnerOnlyFiles", ROOT + ".internal.tls.P256"));

  /**
   * The upward edges of the cycles that one exception root and SPIs configured through the
   * builder make inherent: the API package holds both the entry points, which take SPI types
   * ({@code PeerNodeBuilder.codec(Codec)}, {@code PeerNode.scan(Targets, Ports, ...)}), and the
   * values and exceptions the SPI packages use ({@code CodecException extends VecinoException},
   * {@code SessionInfo.direction()}, {@code ScanResult.id()}). Any other upward edge fails.
   */
  static final Map<String, Set<String>> UPWARD = Map.of(
      ROOT + ".codec", Set.of(ROOT + ".VecinoException", ROOT + ".Direction"),
      ROOT + ".scan", Set.of(ROOT + ".PeerId"));

  /** The peer-level API types a codec must not know. */
  static final Set<String> PEER_TYPES = Set.of(ROOT + ".PeerNode", ROOT + ".PeerNodeBuilder", ROOT + ".Peer",
      ROOT + ".PeerInfo", ROOT + ".PeerListener", ROOT + ".PeerState");

  private ArchitectureRules() {}

  /**
   * Returns the packages p2p-core's module descriptor exports, read from the classes or jar that
   * hold {@code module-info.class} next to {@link PeerNode}.
   */
  static Set<String> exportedPackages() {
    try {
      Path classes = Path.of(PeerNode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
        return ModuleDescriptor.read(in).exports().stream()
            .filter(e -> !e.isQualified())
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toCollection(TreeSet::new));
      }
    } catch (IOException | java.net.URISyntaxException e) {
      throw new AssertionError("cannot read p2p-core's module descriptor", e);
    }
  }

  /** Public and protected members of exported packages expose only public exported types and JDK types. */
  static ArchRule apiExposesNoInternalTypes(Set<String> exported) {
    DescribedPredicate<JavaClass> api = describe("public types of exported packages", c -> isApi(c, exported));
    return classes().that(api).should(new ArchCondition<>("expose in public or protected signatures only public "
        + "types of exported packages and java.* types") {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        for (String leak : leaks(c, exported)) {
          events.add(SimpleConditionEvent.violated(c, c.getName() + " exposes " + leak));
        }
      }
    });
  }

  /** The codec package knows no sockets and no peers. */
  static ArchRule codecKnowsNoSocketsOrPeers() {
    DescribedPredicate<JavaClass> sockets = resideInAPackage("java.nio.channels..")
        .or(describe("java.net sockets", c -> c.getName().matches("java\\.net\\.(Server|Datagram|Multicast)?Socket")))
        .as("sockets");
    DescribedPredicate<JavaClass> peers = resideInAnyPackage(INTERNAL, ROOT + ".transport..")
        .or(describe("peer types " + PEER_TYPES, c -> PEER_TYPES.contains(c.getName())))
        .as("peers (internal, transport, " + PEER_TYPES + ")");
    return noClasses().that().resideInAPackage(ROOT + ".codec..")
        .should().dependOnClassesThat(sockets.or(peers));
  }

  /** The transport package knows no codec. */
  static ArchRule transportKnowsNoCodec() {
    return noClasses().that().resideInAPackage(ROOT + ".transport..")
        .should().dependOnClassesThat().resideInAPackage(ROOT + ".codec..");
  }

  /** Exported packages reach internal only through {@link #DOORS}. */
  static ArchRule exportedPackagesUseInternalOnlyThroughDoors(Set<String> exported) {
    return exportedPackagesUseInternalOnlyThroughDoors(exported, DOORS);
  }

  /** Exported packages reach internal only through {@code doors}. */
  static ArchRule exportedPackagesUseInternalOnlyThroughDoors(Set<String> exported, Map<String, Set<String>> doors) {
    return classes().that(resideInAnyPackage(exported.toArray(String[]::new)))
        .should(new ArchCondition<>("depend on internal only through " + doors) {
          @Override
          public void check(JavaClass c, ConditionEvents events) {
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
              JavaClass target = d.getTargetClass().getBaseComponentType();
              if (isUnlistedInternal(c, target, doors)) {
                events.add(SimpleConditionEvent.violated(d, d.getDescription()));
              }
            }
            // ArchUnit does not count a permits clause as a dependency: checked here.
            for (JavaClass sub : c.getPermittedSubclasses().orElse(Set.of())) {
              if (isUnlistedInternal(c, sub, doors)) {
                events.add(SimpleConditionEvent.violated(c, c.getName() + " permits " + sub.getName()));
              }
            }
          }
        });
  }

  private static boolean isUnlistedInternal(JavaClass origin, JavaClass target, Map<String, Set<String>> doors) {
    return target.getPackageName().startsWith(ROOT + ".internal")
        && !doors.getOrDefault(topLevel(origin), Set.of()).contains(topLevel(target));
  }

  /** No cycles between the packages, once the listed doors and upward edges are set aside. */
  static SliceRule noPackageCycles() {
    SliceRule rule = SlicesRuleDefinition.slices().assignedFrom(new SliceAssignment() {
      @Override
      public SliceIdentifier getIdentifierOf(JavaClass c) {
        return c.getPackageName().startsWith(ROOT) ? SliceIdentifier.of(c.getPackageName()) : SliceIdentifier.ignore();
      }

      @Override
      public String getDescription() {
        return "the packages of " + ROOT;
      }
    }).should().beFreeOfCycles();
    for (Map.Entry<String, Set<String>> door : DOORS.entrySet()) {
      rule = rule.ignoreDependency(describe(door.getKey(), c -> topLevel(c).equals(door.getKey())),
          describe(door.getValue().toString(), c -> door.getValue().contains(topLevel(c))));
    }
    for (Map.Entry<String, Set<String>> up : UPWARD.entrySet()) {
      rule = rule.ignoreDependency(resideInAPackage(up.getKey()),
          describe(up.getValue().toString(), c -> up.getValue().contains(c.getName())));
    }
    return rule;
  }

  /** Public (or protected, if nested) in an exported package, and so are its enclosing classes. */
  static boolean isApi(JavaClass c, Set<String> exported) {
    if (!exported.contains(c.getPackageName()) || c.isAnonymousClass() || c.isLocalClass()) {
      return false;
    }
    Set<JavaModifier> m = c.getModifiers();
    boolean visible = m.contains(JavaModifier.PUBLIC) || (c.isMemberClass() && m.contains(JavaModifier.PROTECTED));
    return visible && c.getEnclosingClass().map(e -> isApi(e, exported)).orElse(true);
  }

  private static List<String> leaks(JavaClass c, Set<String> exported) {
    List<String> leaks = new ArrayList<>();
    c.getSuperclass().ifPresent(t -> check(t, "in its superclass", exported, leaks));
    c.getInterfaces().forEach(t -> check(t, "in its interfaces", exported, leaks));
    c.getTypeParameters().forEach(t -> check(t, "in its type parameters", exported, leaks));
    for (JavaField f : c.getFields()) {
      if (visible(f)) {
        check(f.getType(), "in field " + f.getName(), exported, leaks);
      }
    }
    for (JavaCodeUnit u : c.getCodeUnits()) {
      if (!visible(u)) {
        continue;
      }
      String where = "in " + u.getName() + u.getRawParameterTypes().stream().map(JavaClass::getSimpleName)
          .collect(Collectors.joining(", ", "(", ")"));
      check(u.getReturnType(), where, exported, leaks);
      u.getParameterTypes().forEach(t -> check(t, where, exported, leaks));
      u.getTypeParameters().forEach(t -> check(t, where, exported, leaks));
      u.getThrowsClause().getTypes().forEach(t -> check(t, where, exported, leaks));
    }
    return leaks;
  }

  private static boolean visible(JavaMember m) {
    return m.getModifiers().contains(JavaModifier.PUBLIC) || m.getModifiers().contains(JavaModifier.PROTECTED);
  }

  private static void check(JavaType type, String where, Set<String> exported, List<String> leaks) {
    for (JavaClass raw : type.getAllInvolvedRawTypes()) {
      JavaClass t = raw.getBaseComponentType();
      if (!t.isPrimitive() && !t.getPackageName().startsWith("java.") && !isApi(t, exported)) {
        leaks.add(t.getName() + " " + where);
      }
    }
  }

  private static String topLevel(JavaClass c) {
    String name = c.getName();
    int dollar = name.indexOf('$');
    return dollar < 0 ? name : name.substring(0, dollar);
  }
}
