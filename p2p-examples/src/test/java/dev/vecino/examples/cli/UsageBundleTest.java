package dev.vecino.examples.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.examples.MainAccess;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine;

/**
 * The Spanish {@code --help} (picocli's usage bundle): every key names a command, option or
 * section of the command tree, so a renamed option leaves no stale translation, and every
 * option of the translated commands is translated.
 */
class UsageBundleTest {

  /** Keys every command shares. */
  private static final Set<String> SHARED = Set.of("mixinStandardHelpOptions.help",
      "mixinStandardHelpOptions.version", "lang", "debug",
      "usage.synopsisHeading", "usage.commandListHeading");
  /** The commands whose options are all translated. */
  private static final List<String> TRANSLATED = List.of("chat", "scan", "send", "discover", "doctor", "echo-server",
      "echo-client", "completion");

  @Test
  void everyKeyNamesSomethingOfTheCommandTree() throws IOException {
    CommandLine root = MainAccess.commandLine();
    List<String> stale = new ArrayList<>();
    for (String key : spanish().stringPropertyNames()) {
      if (SHARED.contains(key)) {
        continue;
      }
      String[] parts = key.split("\\.", 3);
      CommandSpec spec = root.getCommandSpec();
      String rest;
      if (parts.length >= 2 && spec.subcommands().containsKey(parts[1])) {
        spec = spec.subcommands().get(parts[1]).getCommandSpec();
        rest = parts.length == 3 ? parts[2] : "";
      } else {
        rest = key.substring("vecino.".length());
      }
      if (!rest.startsWith("usage.") && !keys(spec).contains(rest)) {
        stale.add(key);
      }
    }
    assertTrue(stale.isEmpty(), "keys that name no option or section: " + stale);
  }

  @Test
  void everyOptionOfTheTranslatedCommandsIsTranslated() throws IOException {
    CommandLine root = MainAccess.commandLine();
    Properties es = spanish();
    List<String> missing = new ArrayList<>();
    for (String name : TRANSLATED) {
      CommandSpec spec = root.getSubcommands().get(name).getCommandSpec();
      for (String key : keys(spec)) {
        if (!SHARED.contains(key) && !es.containsKey("vecino." + name + "." + key)) {
          missing.add("vecino." + name + "." + key);
        }
      }
      if (!es.containsKey("vecino." + name + ".usage.description.0")) {
        missing.add("vecino." + name + ".usage.description.0");
      }
    }
    assertTrue(missing.isEmpty(), "untranslated: " + missing);
  }

  @Test
  void spanishHelpUsesTheBundleAndEnglishHelpTheAnnotations() {
    StringWriter out = new StringWriter();
    MainAccess.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "chat", "--lang", "es", "--help");
    assertTrue(out.toString().startsWith("Uso: vecino chat"), out.toString());
    assertTrue(out.toString().contains("Nombre que ven los vecinos"), out.toString());
    assertTrue(out.toString().contains("Puerto en el que escuchar; 0 elige uno libre"), out.toString());
    assertTrue(out.toString().contains("Muestra esta ayuda y termina."), out.toString());
    assertTrue(out.toString().contains("Idioma de los textos de la consola"), out.toString());
    StringWriter en = new StringWriter();
    MainAccess.run(new PrintWriter(en), new PrintWriter(new StringWriter()), "chat", "--help");
    assertTrue(en.toString().contains("Display name peers see"), en.toString());
  }

  /** An option's key: its descriptionKey, else its longest name without dashes. */
  private static List<String> keys(CommandSpec spec) {
    List<String> keys = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      keys.add(key(o, o.longestName().replaceFirst("^-+", "")));
    }
    for (PositionalParamSpec p : spec.positionalParameters()) {
      keys.add(key(p, p.paramLabel()));
    }
    return keys;
  }

  private static String key(ArgSpec arg, String fallback) {
    return arg.descriptionKey() == null || arg.descriptionKey().isEmpty()
        ? fallback : arg.descriptionKey();
  }

  private static Properties spanish() throws IOException {
    Properties p = new Properties();
    try (InputStream in = UsageBundleTest.class.getResourceAsStream("usage_es.properties");
         Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return p;
  }
}
