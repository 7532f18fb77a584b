package dev.vecino.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What Maven Central and users expect from a release: metadata in the POMs, -sources and
 * -javadoc jars, a BOM at the project's version, and reproducible archives.
 */
class ReleaseArtifactsIT {

  private static final Path ROOT = Path.of(Consumers.property("vecino.root")).normalize();
  private static final String VERSION = Consumers.property("vecino.version");

  @Test
  void coreShipsSourcesAndJavadocJars() throws Exception {
    Set<String> sources = entries(sibling("sources"));
    assertTrue(sources.contains("module-info.java"), "sources jar lacks module-info.java");
    assertTrue(sources.contains("dev/vecino/p2p/PeerNode.java"), "sources jar lacks PeerNode.java");

    Set<String> javadoc = entries(sibling("javadoc"));
    assertTrue(javadoc.contains("index.html"), "javadoc jar lacks index.html");
    assertTrue(javadoc.stream().anyMatch(e -> e.endsWith("dev/vecino/p2p/PeerNode.html")), "javadoc jar lacks PeerNode");
    assertTrue(javadoc.stream().anyMatch(e -> e.endsWith("dev/vecino/p2p/codec/Codec.html")), "javadoc jar lacks the codec SPI");
    assertTrue(javadoc.stream().noneMatch(e -> e.contains("/internal/")), "javadoc must not document internal packages");
    try (ZipFile zip = new ZipFile(sibling("javadoc").toFile())) {
      String index = new String(zip.getInputStream(zip.getEntry("index.html")).readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(index.contains("Mental model"), "the overview page (src/main/javadoc/overview.html) is missing from index.html");
    }
  }

  @Test
  void micrometerShipsSourcesAndJavadocJars() throws Exception {
    Path jar = Consumers.micrometerJar();
    Set<String> sources = entries(sibling(jar, "sources"));
    assertTrue(sources.contains("module-info.java"), "sources jar lacks module-info.java");
    assertTrue(sources.contains("dev/vecino/p2p/micrometer/PeerNodeMetrics.java"), "sources jar lacks PeerNodeMetrics");
    Set<String> javadoc = entries(sibling(jar, "javadoc"));
    assertTrue(javadoc.stream().anyMatch(e -> e.endsWith("dev/vecino/p2p/micrometer/PeerNodeMetrics.html")),
        "javadoc jar lacks PeerNodeMetrics");
  }

  @Test
  void archivesCarryTheFixedOutputTimestamp() throws Exception {
    Path metrics = Consumers.micrometerJar();
    for (Path jar : List.of(Consumers.coreJar(), sibling("sources"), sibling("javadoc"), metrics,
        sibling(metrics, "sources"), sibling(metrics, "javadoc"))) {
      Set<Long> times = new TreeSet<>();
      try (ZipFile zip = new ZipFile(jar.toFile())) {
        for (ZipEntry e : Collections.list(zip.entries())) {
          times.add(e.getTime());
        }
      }
      // One timestamp for every entry (project.build.outputTimestamp), so rebuilding gives identical bytes.
      assertEquals(1, times.size(), jar.getFileName() + " has entries with different times: " + times);
    }
  }

  @Test
  void bomPinsEveryPublishedModuleAtTheProjectVersionWithoutAParent() throws Exception {
    Document bom = parse(Path.of(Consumers.property("vecino.bom.pom")));
    Element project = bom.getDocumentElement();
    assertEquals(VERSION, text(project, "version"), "p2p-bom's version must follow the parent's");
    assertTrue(children(project, "parent").isEmpty(),
        "importing a BOM imports its parent's dependencyManagement too; keep p2p-bom parentless");
    assertCentralMetadata("p2p-bom", project);
    List<String> managed = new ArrayList<>();
    for (Element dm : children(project, "dependencyManagement")) {
      for (Element deps : children(dm, "dependencies")) {
        for (Element d : children(deps, "dependency")) {
          assertEquals("dev.vecino", text(d, "groupId"));
          assertEquals("${project.version}", text(d, "version"));
          managed.add(text(d, "artifactId"));
        }
      }
    }
    assertTrue(managed.contains("p2p-core"), "p2p-bom must manage p2p-core: " + managed);
    assertTrue(managed.contains("p2p-micrometer"), "p2p-bom must manage p2p-micrometer: " + managed);
    List<String> modules = new ArrayList<>();
    for (Element m : children(children(parse(ROOT.resolve("pom.xml")).getDocumentElement(), "modules").get(0), "module")) {
      modules.add(m.getTextContent().trim());
    }
    for (String artifact : managed) {
      assertTrue(modules.contains(artifact), "p2p-bom manages " + artifact + ", which the build does not produce");
    }
  }

  @Test
  void pomsCarryWhatCentralRequires() throws Exception {
    Element root = parse(ROOT.resolve("pom.xml")).getDocumentElement();
    assertCentralMetadata("vecino-parent", root);
    for (Element modules : children(root, "modules")) {
      for (Element module : children(modules, "module")) {
        Element pom = parse(ROOT.resolve(module.getTextContent().trim()).resolve("pom.xml")).getDocumentElement();
        String name = module.getTextContent().trim();
        assertFalse(text(pom, "name").isBlank(), name + " needs a <name>");
        assertFalse(text(pom, "description").isBlank(), name + " needs a <description>");
      }
    }
  }

  @Test
  void embeddingExampleDefaultsToThisVersion() throws Exception {
    Element example = parse(ROOT.resolve("examples/embedding/pom.xml")).getDocumentElement();
    Element properties = children(example, "properties").get(0);
    assertEquals(VERSION, text(properties, "vecino.version"),
        "examples/embedding/pom.xml should build against this version when run by hand");
  }

  @Test
  void readmeSnippetsUseThisVersion() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    Matcher maven = Pattern
        .compile("<artifactId>(p2p-[a-z-]+)</artifactId>\\s*<version>([^<]+)</version>").matcher(readme);
    Matcher gradle = Pattern
        .compile("\"dev\\.vecino:(p2p-[a-z-]+):([^\"]+)\"").matcher(readme);
    int found = 0;
    for (Matcher m : List.of(maven, gradle)) {
      while (m.find()) {
        found++;
        assertEquals(VERSION, m.group(2), "README shows " + m.group(1) + " at another version");
      }
    }
    assertTrue(found >= 3, "expected Maven and Gradle snippets in the README, found " + found);
  }

  private static void assertCentralMetadata(String what, Element project) {
    for (String element : List.of("name", "description", "url")) {
      assertFalse(text(project, element).isBlank(), what + " needs <" + element + ">");
    }
    assertFalse(text(first(project, "licenses", "license"), "name").isBlank(), what + " needs a license");
    assertFalse(text(first(project, "developers", "developer"), "name").isBlank(), what + " needs a developer");
    Element scm = children(project, "scm").get(0);
    assertTrue(text(scm, "connection").startsWith("scm:git:"), what + " needs <scm><connection>");
    assertFalse(text(scm, "url").isBlank(), what + " needs <scm><url>");
  }

  private static Path sibling(String classifier) {
    return sibling(Consumers.coreJar(), classifier);
  }

  private static Path sibling(Path jar, String classifier) {
    String name = jar.getFileName().toString();
    Path path = jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + "-" + classifier + ".jar");
    assertTrue(Files.isRegularFile(path), "missing " + path + " (built in the module's package/verify phases)");
    return path;
  }

  private static Set<String> entries(Path jar) throws Exception {
    Set<String> names = new TreeSet<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      Collections.list(zip.entries()).forEach(e -> names.add(e.getName()));
    }
    return names;
  }

  private static Document parse(Path pom) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
  }

  private static Element first(Element parent, String outer, String inner) {
    List<Element> outers = children(parent, outer);
    assertFalse(outers.isEmpty(), "missing <" + outer + ">");
    List<Element> inners = children(outers.get(0), inner);
    assertFalse(inners.isEmpty(), "missing <" + inner + ">");
    return inners.get(0);
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> result = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node n = nodes.item(i);
      if (n instanceof Element e && e.getTagName().equals(name)) {
        result.add(e);
      }
    }
    return result;
  }

  private static String text(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? "" : found.get(0).getTextContent().trim();
  }
}
