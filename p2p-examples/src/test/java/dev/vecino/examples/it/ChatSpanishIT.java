package dev.vecino.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real jar in Spanish with piped stdin: the original's words, its call, its menu. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ChatSpanishIT {

  @TempDir
  Path tmp;

  @Test
  void theOriginalsWordsDriveASpanishChat() throws Exception {
    try (VecinoProcess ana = VecinoProcess.chat("ana", tmp.resolve("ana"), "--lang", "es");
         VecinoProcess bob = VecinoProcess.chat("bob", tmp.resolve("bob"), "--lang", "es")) {
      ana.awaitOut("9. salir");
      assertTrue(ana.outLines().get(0).startsWith("escuchando en 127.0.0.1:"), ana.dump());
      // IP and port asked apart, as the original did.
      ana.send("/conectar").send("127.0.0.1").send(String.valueOf(bob.port()));
      bob.awaitOut("+ ana se unió desde 127.0.0.1:");
      ana.send("/enviar hola vecinos");
      bob.awaitOut("] ana: hola vecinos");
      ana.awaitOut("tú a todos (1): hola vecinos");
      ana.send("salir");
      bob.awaitOut("] ana: salir");
      ana.send("?").send("llamar").send("1").send("ven");
      bob.awaitOut("*** Estás siendo llamado desde ana: ven ***");
      ana.send("/mensaje 1");
      ana.awaitErr("error: mensaje vacío: uso /msg <vecino> <texto>");
      ana.send("/salir");
      bob.awaitOut("- ana se fue (cerrada por el vecino: ana salió del chat)");
      ana.awaitOut("] adiós");
      assertEquals(0, ana.awaitExit(), ana.dump());
      bob.closeStdin();
      assertEquals(0, bob.awaitExit(), bob.dump());
    }
  }
}
