package dev.vecino.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.examples.MainAccess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** {@code --lang}: anywhere on the command line, checked, and never changing exit codes. */
class LangOptionTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return MainAccess.run(new PrintWriter(out), new PrintWriter(err), args);
  }

  @Test
  void anUnknownLanguageIsABadArgument() {
    assertEquals(2, run("chat", "--lang", "fr"));
    assertTrue(err.toString().startsWith("vecino: --lang must be one of: en, es (got 'fr')"),
        err.toString());
    assertEquals(Locale.ENGLISH, Text.locale());
  }

  @Test
  void langWithoutAValueIsABadArgument() {
    assertEquals(2, run("--lang"));
    assertTrue(err.toString().contains("--lang needs a value"), err.toString());
  }

  @Test
  void spanishHelpListsTheOriginalsWordsAndTheLanguageIsRestoredAfterwards() {
    assertEquals(0, run("chat", "--lang=es", "--help"));
    assertTrue(out.toString().contains("En el chat (cualquier otra línea se envía a todos"),
        out.toString());
    assertTrue(out.toString().contains("/conexiones /escaneo /nombre /llamar /desconectar /salir"),
        out.toString());
    assertTrue(out.toString().contains("--lang=LANG"), out.toString());
    assertEquals(Locale.ENGLISH, Text.locale());
  }

  @Test
  void aBadArgumentInSpanishKeepsItsExitCode() {
    assertEquals(2, run("--lang", "es", "chat", "--port", "70000"));
    assertTrue(err.toString().contains("--port debe estar entre 0 y 65535: 70000"), err.toString());
    assertTrue(err.toString().contains("Prueba 'vecino chat --help'"), err.toString());
    assertFalse(err.toString().contains("must be"), err.toString());
  }
}
