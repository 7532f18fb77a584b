package dev.vecino.examples.cli;

import dev.vecino.p2p.ConfigurationException;
import dev.vecino.p2p.GroupSecret;
import dev.vecino.p2p.PeerNodeBuilder;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The security options of every command that builds a framed node ({@code chat}, {@code scan},
 * {@code send}, {@code discover}, {@code doctor}, {@code echo-server}, {@code echo-client}): {@code --secret-file},
 * {@code --plaintext} and {@code --allow-key} (docs/security.md). A secret is only ever read from
 * a file: on a command line other users would see it in the process list.
 *
 * <p>{@link #apply} checks them against the codec and sets them on a node's builder; what is wrong
 * comes back as a {@link Refusal} that says which exit code it deserves.
 */
public final class SecurityOptions {

  @Option(names = "--secret-file", paramLabel = "FILE",
      description = "Admit only nodes that know this group secret (a file made by 'vecino secret', "
          + "owner-only); never put a secret on the command line.")
  private Path secretFile;

  @Option(names = "--plaintext",
      description = "Speak without TLS, to reach older or --plaintext nodes; protects nothing.")
  private boolean plaintext;

  @Option(names = "--allow-key", paramLabel = "FINGERPRINT",
      description = "Admit only nodes with this key fingerprint, as 'vecino id' prints it "
          + "(repeatable).")
  private List<String> allowKeys = new ArrayList<>();

  /** Creates the mixin; picocli instantiates it. */
  public SecurityOptions() {}

  /**
   * Why the options cannot be applied.
   *
   * @param message the one-line explanation
   * @param usage true for a bad combination of options (printed with the usage hint), false for a
   *     bad secret file (printed as {@code error: ...}); both exit 2
   */
  public record Refusal(String message, boolean usage) {}

  /**
   * Returns whether {@code --plaintext} was given.
   *
   * @return true for a plaintext node
   */
  public boolean plaintext() {
    return plaintext;
  }

  /**
   * Checks the options against the codec and sets them on {@code builder}: plaintext, the group
   * secret loaded from its file, the allowed keys.
   *
   * @param builder the node's builder
   * @param codec the codec the node speaks
   * @return null when applied, else why not
   */
  public Refusal apply(PeerNodeBuilder builder, CodecChoice codec) {
    boolean admission = secretFile != null || !allowKeys.isEmpty();
    String option = secretFile != null ? "--secret-file" : "--allow-key";
    if (admission && codec != CodecChoice.framed) {
      return new Refusal(Text.get("security.needsFramed", option, codec), true);
    }
    if (admission && plaintext) {
      return new Refusal(Text.get("security.needsTls", option), true);
    }
    for (String typed : allowKeys) {
      try {
        builder.allowKeys(typed);
      } catch (IllegalArgumentException e) {
        return new Refusal(Text.get("security.badKey", typed, e.getMessage()), true);
      }
    }
    if (secretFile != null) {
      try {
        builder.groupSecret(GroupSecret.load(secretFile));
      } catch (ConfigurationException e) {
        return new Refusal(e.getMessage(), false);
      } catch (UncheckedIOException e) {
        return new Refusal(e.getCause() instanceof NoSuchFileException
            ? Text.get("security.noSecretFile", secretFile)
            : e.getMessage(), false);
      }
    }
    builder.plaintext(plaintext);
    return null;
  }

  /**
   * Prints a refusal the way the console prints bad arguments: a bad combination with the usage
   * hint, a bad secret file as {@code error: ...}; either way the exit code is 2.
   *
   * @param spec the command
   * @param refusal what {@link #apply} returned
   * @return {@link Usage#EXIT_USAGE}
   */
  public static int report(CommandSpec spec, Refusal refusal) {
    if (refusal.usage()) {
      return Usage.error(spec, refusal.message());
    }
    spec.commandLine().getErr().println("error: " + refusal.message());
    spec.commandLine().getErr().flush();
    return Usage.EXIT_USAGE;
  }
}
