package dev.vecino.p2p.readme;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.PeerNodeBuilder;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README's configuration table names every builder option, so it cannot fall behind. */
class ReadmeConfigurationTest {

  @Test
  void readmeConfigurationTableListsEveryBuilderOption() throws Exception {
    String readme = Files.readString(Path.of("").toAbsolutePath().getParent().resolve("README.md"));
    int start = readme.indexOf("## Configuration");
    assertTrue(start >= 0, "README has no '## Configuration' section");
    int end = readme.indexOf("\n## ", start + 1);
    String table = readme.substring(start, end < 0 ? readme.length() : end);

    List<String> missing = Arrays.stream(PeerNodeBuilder.class.getDeclaredMethods())
        .filter(m -> Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()))
        .filter(m -> m.getReturnType() == PeerNodeBuilder.class)
        .map(Method::getName)
        .distinct()
        .filter(name -> !table.contains("| `" + name + "(") && !table.contains("/ `" + name + "("))
        .sorted()
        .collect(Collectors.toList());
    assertTrue(missing.isEmpty(), "README's configuration table lacks builder options " + missing);
  }
}
