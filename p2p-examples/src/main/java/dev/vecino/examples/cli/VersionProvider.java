package dev.vecino.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** Supplies {@code --version} from the version Maven wrote into the jar. */
public final class VersionProvider implements IVersionProvider {

  /** Creates the provider; picocli instantiates it. */
  public VersionProvider() {}

  @Override
  public String[] getVersion() {
    return new String[] {
      "vecino " + version(),
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
    };
  }

  /**
   * Returns the project version, e.g. {@code 0.1.0-SNAPSHOT}.
   *
   * @return the version, or {@code "unknown"} outside a build
   */
  public static String version() {
    Properties p = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream(
        "/dev/vecino/examples/version.properties")) {
      if (in == null) {
        return "unknown";
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("version", "unknown");
  }
}
