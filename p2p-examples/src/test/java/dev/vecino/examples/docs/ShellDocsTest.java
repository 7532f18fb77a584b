package dev.vecino.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.examples.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The completion script and the man page the build writes ({@code target/shell}, system
 * property {@code vecino.shellDocs}): both match the command model of this build, so neither
 * can go stale, and the script completes in a real bash.
 */
@Timeout(60)
class ShellDocsTest {

  private static Path shellDocs() {
    String dir = System.getProperty("vecino.shellDocs");
    Assumptions.assumeTrue(dir != null, "vecino.shellDocs is not set (run with Maven)");
    return Path.of(dir);
  }

  private static String read(String file) throws IOException {
    return Files.readString(shellDocs().resolve(file), StandardCharsets.UTF_8);
  }

  /** Every visible command, the root first, with the bash function picocli names for it. */
  private static List<CommandLine> commands() {
    List<CommandLine> all = new ArrayList<>();
    CommandLine root = Main.commandLine();
    all.add(root);
    for (CommandLine sub : root.getSubcommands().values()) {
      if (!sub.getCommandSpec().usageMessage().hidden()) {
        all.add(sub);
      }
    }
    return all;
  }

  private static String function(CommandLine cmd) {
    String name = cmd.getParent() == null ? "" : "_" + cmd.getCommandName().replace("-", "");
    return "function _picocli_vecino" + name + "() {";
  }

  private static String body(String script, CommandLine cmd) {
    int start = script.indexOf(function(cmd));
    assertTrue(start >= 0, "no completion function for " + cmd.getCommandSpec().qualifiedName());
    int end = script.indexOf("\nfunction ", start + 1);
    return script.substring(start, end < 0 ? script.length() : end);
  }

  @Test
  void theScriptOnDiskIsWhatTheCommandModelGeneratesAndWhatTheCompletionCommandPrints()
      throws IOException {
    String script = read(ShellDocs.COMPLETION);
    assertEquals(ShellDocs.completion(Main.commandLine()), script);
    StringWriter out = new StringWriter();
    assertEquals(0, Main.run(new String[] {"completion"}, new PrintWriter(out),
        new PrintWriter(new StringWriter())));
    assertEquals(script, out.toString());
  }

  @Test
  void theScriptKnowsEverySubcommandAndEveryOptionOfEach() throws IOException {
    String script = read(ShellDocs.COMPLETION);
    String rootBody = body(script, Main.commandLine());
    int from = rootBody.indexOf("local commands=\"") + "local commands=\"".length();
    List<String> offered = List.of(rootBody.substring(from, rootBody.indexOf('"', from)).split(" "));
    int checked = 0;
    for (CommandLine cmd : commands()) {
      String body = body(script, cmd);
      if (cmd.getParent() != null) {
        assertTrue(offered.contains(cmd.getCommandName()),
            "the root does not offer " + cmd.getCommandName() + ": " + offered);
      }
      for (OptionSpec o : cmd.getCommandSpec().options()) {
        for (String name : o.names()) {
          if (!o.hidden()) {
            assertTrue(body.contains("'" + name + "'"),
                cmd.getCommandSpec().qualifiedName() + " does not complete " + name);
            checked++;
          }
        }
      }
    }
    assertTrue(checked > 40, "only " + checked + " options checked");
  }

  @Test
  void bashCompletesCommandsOptionsAndTheCodecsEachCommandTakes() throws Exception {
    Path script = shellDocs().resolve(ShellDocs.COMPLETION);
    assertEquals("[scan send]", complete(script, "vecino", "s"));
    assertEquals("[chat scan discover doctor send echo-server echo-client completion help]",
        complete(script, "vecino", ""));
    assertEquals("[--codec]", complete(script, "vecino", "scan", "--co"));
    assertEquals("[framed classic]", complete(script, "vecino", "scan", "--codec", ""));
    assertEquals("[framed line classic]", complete(script, "vecino", "send", "--codec", ""));
    assertEquals("[--connect --connect-timeout]", complete(script, "vecino", "chat", "--conn"));
  }

  @Test
  void zshLoadsTheScriptThroughBashcompinitAndGetsTheSameCandidates() throws Exception {
    Path script = shellDocs().resolve(ShellDocs.COMPLETION);
    String zsh = "autoload -U +X compinit && compinit -u -D; source '" + script + "';"
        + " print -r -- \"${_comps[vecino]}\"; setopt ksharrays;";
    // zsh itself filters the candidates by the typed prefix, so every candidate comes back here.
    assertEquals("_bash_complete -F _complete_vecino -o default\n"
        + "[chat scan discover doctor send echo-server echo-client completion help]",
        run("zsh", zsh, "vecino", "s"));
    assertTrue(run("zsh", zsh, "vecino", "scan", "--codec", "")
        .endsWith("\n[framed classic]"));
  }

  private static String complete(Path script, String... words) throws Exception {
    return run("bash", "compopt() { :; }; source '" + script + "';", words);
  }

  /**
   * Runs the script's completion function in a shell for a command line, the last word being the
   * one at the cursor; returns what the shell printed, the candidates last as {@code [a b]}.
   */
  private static String run(String shell, String setUp, String... words) throws Exception {
    StringBuilder quoted = new StringBuilder();
    for (String w : words) {
      quoted.append(" '").append(w).append('\'');
    }
    String program = setUp + " COMP_WORDS=(" + quoted + ");"
        + " COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE=\"${COMP_WORDS[*]}\";"
        + " COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _complete_vecino;"
        + " echo \"[${COMPREPLY[*]}]\"";
    List<String> cmd = shell.equals("bash")
        ? List.of("bash", "--norc", "--noprofile", "-c", program)
        : List.of(shell, "-f", "-c", program);
    Process p;
    try {
      p = new ProcessBuilder(cmd).start();
    } catch (IOException e) {
      Assumptions.abort(shell + " is not installed: " + e.getMessage());
      throw e;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), shell + " did not finish");
    assertEquals(0, p.exitValue(), err);
    assertEquals("", err);
    return out;
  }

  @Test
  void theManPageIsWhatTheModelGeneratesAndDocumentsEveryCommandAndOption() throws IOException {
    String page = read(ShellDocs.MAN_PAGE);
    assertTrue(page.startsWith(".\\\" Generated from the picocli command model"), page);
    assertTrue(page.contains(".TH VECINO 1 \"") && page.contains("\"Vecino Manual\""), page);
    for (CommandLine cmd : commands()) {
      if (cmd.getParent() != null) {
        assertTrue(page.contains(".SS vecino " + ManPage.escape(cmd.getCommandName()) + "\n"),
            "no section for " + cmd.getCommandName());
      }
      for (OptionSpec o : cmd.getCommandSpec().options()) {
        for (String name : o.names()) {
          assertTrue(o.hidden() || page.contains("\\fB" + ManPage.escape(name) + "\\fR"),
              cmd.getCommandSpec().qualifiedName() + " does not document " + name);
        }
      }
    }
    assertTrue(page.contains(".SH EXIT STATUS\n.TP\n.B 0\nsuccess\n"), page);
  }

  @Test
  void theManPageIsValidRoff() throws Exception {
    Process p;
    try {
      p = new ProcessBuilder("groff", "-man", "-ww", "-z",
          shellDocs().resolve(ShellDocs.MAN_PAGE).toString()).start();
    } catch (IOException e) {
      Assumptions.abort("groff is not installed: " + e.getMessage());
      throw e;
    }
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "groff did not finish");
    assertEquals("", err);
    assertEquals(0, p.exitValue());
  }

  @Test
  void roffEscapingKeepsHyphensBackslashesAndLeadingDots() {
    assertEquals("\\-\\-codec", ManPage.escape("--codec"));
    assertEquals("C:\\eway", ManPage.escape("C:\\way"));
    assertEquals("\\&.hidden", ManPage.escape(".hidden"));
  }
}
