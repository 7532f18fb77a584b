package dev.vecino.examples;

import dev.vecino.examples.cli.CommonOptions;
import dev.vecino.examples.cli.Defaults;
import dev.vecino.examples.cli.VersionProvider;
import dev.vecino.examples.scan.JsonLine;
import dev.vecino.p2p.ConfigurationException;
import dev.vecino.p2p.Identity;
import dev.vecino.p2p.NodeKey;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vecino id [--config-dir DIR] [--json]}: prints the chat's node id and key fingerprint
 * from its config directory, the identity the chat uses there ({@code identity.properties} and
 * the key file {@code identity.key} next to it). Give the fingerprint to people who start with
 * {@code --allow-key}, or compare it with what their {@code /keys} shows.
 *
 * <p>Without an identity yet, it creates one, as the chat's first start would (so the fingerprint
 * can be shared before the first chat); an identity from before keys gets its key, and a new id,
 * as at the chat's next start (docs/security.md, section 4).
 */
@Command(
    name = "id",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Print this node's id and key fingerprint (from the chat's config directory).")
final class IdCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private CommonOptions common;

  @Option(names = "--config-dir", paramLabel = "DIR",
      description = "The chat's config directory (default: $XDG_CONFIG_HOME/vecino or ~/.config/vecino).")
  private Path configDir;

  @Option(names = "--json", description = "One JSON object instead of text.")
  private boolean json;

  IdCommand() {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path dir = configDir != null ? configDir : Defaults.configDir();
    Path file = dir.resolve("identity.properties");
    boolean created = !Files.exists(file) || !Files.exists(dir.resolve("identity.key"));
    Identity identity;
    try {
      String name = Files.exists(file) ? Identity.load(file).name() : Defaults.userAtHost();
      identity = Identity.loadOrCreate(file, name);
    } catch (ConfigurationException | UncheckedIOException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    String fingerprint = identity.key().map(NodeKey::fingerprint).orElseThrow();
    if (json) {
      out.println(JsonLine.of("identity").put("id", identity.id().toString())
          .put("shortId", identity.id().shortId()).put("fingerprint", fingerprint)
          .put("name", identity.name()).put("configDir", dir.toString()).put("created", created));
    } else {
      out.println("id           " + identity.id() + " (short " + identity.id().shortId() + ")");
      out.println("fingerprint  " + fingerprint);
      out.println("name         " + identity.name());
      out.println("config dir   " + dir + (created ? " (key created now)" : ""));
    }
    out.flush();
    return 0;
  }
}
