package dev.vecino.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The logging setup belongs to the executable jar only (issue 19): the thin jar is what a class
 * path would pick up, and a {@code simplelogger.properties} there would reconfigure the logging of
 * whatever program it lands in.
 */
class PackagingIT {

  private static final String LOGGING = "simplelogger.properties";

  @Test
  void onlyTheExecutableJarCarriesTheLoggingSetup() throws Exception {
    Path thin = Path.of(System.getProperty("vecino.thin.jar"));
    Path executable = Path.of(System.getProperty("vecino.jar"));
    try (ZipFile zip = new ZipFile(thin.toFile())) {
      assertNotNull(zip.getEntry("dev/vecino/examples/Main.class"), "not the examples' thin jar: " + thin);
      assertNull(zip.getEntry(LOGGING), "the thin jar must not carry " + LOGGING);
    }
    try (ZipFile zip = new ZipFile(executable.toFile())) {
      ZipEntry entry = zip.getEntry(LOGGING);
      assertNotNull(entry, "vecino.jar lost its " + LOGGING);
      String text = new String(zip.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(Files.readString(Path.of("src", "shaded", LOGGING)), text);
    }
  }
}
