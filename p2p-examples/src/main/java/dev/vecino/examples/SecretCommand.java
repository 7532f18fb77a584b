package dev.vecino.examples;

import dev.vecino.examples.cli.CommonOptions;
import dev.vecino.examples.cli.VersionProvider;
import dev.vecino.p2p.ConfigurationException;
import dev.vecino.p2p.GroupSecret;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vecino secret FILE}: writes a new group secret (256 random bits) to a new owner-only
 * file and says how to share it. Never replaces a file: an existing one is a group's secret.
 */
@Command(
    name = "secret",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Write a new group secret to FILE (owner-only; never replaces a file).")
final class SecretCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private CommonOptions common;

  @Parameters(index = "0", paramLabel = "FILE", description = "The secret file to create.")
  private Path file;

  SecretCommand() {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      GroupSecret.generate().writeNew(file);
    } catch (ConfigurationException | UncheckedIOException e) {
      err.println("error: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    out.println("wrote a new group secret to " + file + " (readable by you only)");
    out.println("share it: copy the file to each member by a way you trust (scp, a USB stick; not"
        + " chat or mail), keep it owner-only (chmod 600), and start with: --secret-file " + file);
    out.println("anyone who has the file is a member; to exclude someone, make a new secret");
    out.flush();
    return 0;
  }
}
