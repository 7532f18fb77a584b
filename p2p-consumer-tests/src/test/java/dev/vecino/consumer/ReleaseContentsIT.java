package dev.vecino.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * What a release ships (issue 19): the library jars name themselves and carry the license, and
 * RELEASING.md lists exactly the artifacts the build deploys, which the BOM pins.
 */
class ReleaseContentsIT {

  private static final Path ROOT = Path.of(Consumers.property("vecino.root")).normalize();
  private static final String VERSION = Consumers.property("vecino.version");

  @Test
  void libraryJarsNameThemselvesAndCarryTheLicense() throws Exception {
    String license = Files.readString(ROOT.resolve("LICENSE"));
    for (String property : List.of("vecino.core.jar", "vecino.testkit.jar")) {
      Path path = Path.of(Consumers.property(property));
      try (JarFile jar = new JarFile(path.toFile())) {
        Attributes main = jar.getManifest().getMainAttributes();
        String artifact = path.getFileName().toString().replace("-" + VERSION + ".jar", "");
        assertEquals(artifact, main.getValue(Attributes.Name.IMPLEMENTATION_TITLE), path.toString());
        assertEquals(VERSION, main.getValue(Attributes.Name.IMPLEMENTATION_VERSION), path.toString());
        assertEquals("The Vecino developers", main.getValue(Attributes.Name.IMPLEMENTATION_VENDOR),
            path.toString());
        ZipEntry entry = jar.getEntry("META-INF/LICENSE");
        assertNotNull(entry, path + " lacks META-INF/LICENSE");
        assertEquals(license,
            new String(jar.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void releasingMdListsExactlyTheDeployedArtifactsAndTheBomPinsTheLibraries() throws Exception {
    Set<String> deployed = new TreeSet<>();
    deployed.add("vecino-parent");
    for (String module : strings(parse(ROOT.resolve("pom.xml")), "/project/modules/module")) {
      Document pom = parse(ROOT.resolve(module).resolve("pom.xml"));
      if (!"true".equals(string(pom, "/project/properties/maven.deploy.skip"))) {
        deployed.add(string(pom, "/project/artifactId"));
      }
    }
    assertTrue(deployed.containsAll(List.of("p2p-bom", "p2p-core", "p2p-testkit")), deployed::toString);
    assertTrue(!deployed.contains("p2p-examples") && !deployed.contains("p2p-benchmarks"),
        "applications are never deployed: " + deployed);

    Set<String> listed = new TreeSet<>();
    Matcher row = Pattern.compile("(?m)^\\| `([a-z0-9-]+)` \\|").matcher(
        Files.readString(ROOT.resolve("docs/RELEASING.md")));
    while (row.find()) {
      listed.add(row.group(1));
    }
    assertEquals(deployed, listed, "RELEASING.md's table of deployed artifacts vs the poms");

    Set<String> libraries = new TreeSet<>(deployed);
    libraries.removeAll(List.of("vecino-parent", "p2p-bom"));
    Set<String> pinned = new TreeSet<>(strings(parse(Path.of(Consumers.property("vecino.bom.pom"))),
        "/project/dependencyManagement/dependencies/dependency/artifactId"));
    assertEquals(libraries, pinned, "the BOM pins every deployed library, nothing else");
  }

  private static Document parse(Path xml) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
  }

  private static String string(Document doc, String expression) throws Exception {
    return XPathFactory.newInstance().newXPath().evaluate(expression, doc).trim();
  }

  private static List<String> strings(Document doc, String expression) throws Exception {
    XPath xpath = XPathFactory.newInstance().newXPath();
    NodeList nodes = (NodeList) xpath.evaluate(expression, doc, XPathConstants.NODESET);
    List<String> values = new java.util.ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      values.add(nodes.item(i).getTextContent().trim());
    }
    return values;
  }
}
