package dev.vecino.examples.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Defaults that depend on the machine: the user@host name and the config directory. */
public final class Defaults {

  /** The original program's port, the default for {@code chat} and {@code scan}. */
  public static final int PORT = 9999;

  private Defaults() {}

  /**
   * Returns {@code user@host}. The host comes from {@code HOSTNAME}, {@code /etc/hostname},
   * and only then from the resolver, so start-up does not wait for DNS.
   *
   * @return the default display name
   */
  public static String userAtHost() {
    String user = System.getProperty("user.name", "user");
    return (user.isBlank() ? "user" : user) + "@" + hostName(System.getenv());
  }

  static String hostName(Map<String, String> env) {
    String h = env.get("HOSTNAME");
    if (h != null && !h.isBlank()) {
      return h.strip();
    }
    try {
      Path etc = Path.of("/etc/hostname");
      if (Files.isReadable(etc)) {
        String s = Files.readString(etc, StandardCharsets.UTF_8).strip();
        if (!s.isEmpty()) {
          return s;
        }
      }
    } catch (IOException e) {
      // Unreadable: fall through to the resolver, which knows the name on every platform.
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /**
   * Returns the default config directory: {@code $XDG_CONFIG_HOME/vecino}, else
   * {@code ~/.config/vecino}.
   *
   * @return the directory (may not exist yet)
   */
  public static Path configDir() {
    return configDir(System.getenv(), System.getProperty("user.home"));
  }

  static Path configDir(Map<String, String> env, String home) {
    String xdg = env.get("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "vecino");
    }
    return Path.of(home, ".config", "vecino");
  }
}
