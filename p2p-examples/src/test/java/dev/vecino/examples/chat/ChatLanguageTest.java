package dev.vecino.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.examples.cli.Text;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The original program's menu words, the menu prompt, menu item 1's separate port question,
 * and the chat in Spanish, over a scripted console and real nodes on 127.0.32.x.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatLanguageTest {

  private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  private ChatFixture chat;
  private ScriptedConsole console;
  private PeerNode bob;

  @BeforeEach
  void start() {
    chat = new ChatFixture("127.0.32.1", false, null);
    console = chat.console;
    bob = chat.peer("bob", "127.0.32.2", messages);
  }

  @AfterEach
  void stop() {
    Text.use(Locale.ENGLISH);
    chat.close();
  }

  @Test
  void theOriginalsWordsAreSlashCommandsAndABareWordIsAMessage() {
    String[] words = {"conectar", "enviar", "mensaje", "conexiones", "escaneo", "nombre",
        "llamar", "desconectar", "salir"};
    for (int i = 0; i < words.length; i++) {
      assertEquals(new ChatInput.MenuItem(i + 1), InputParser.parse("/" + words[i]), words[i]);
      assertEquals(new ChatInput.MenuItem(i + 1), InputParser.parse("/" + words[i].toUpperCase(Locale.ROOT)));
      assertEquals(new ChatInput.Broadcast(words[i]), InputParser.parse(words[i]), words[i]);
      assertEquals(i + 1, InputParser.menuChoice(words[i]));
      assertEquals(i + 1, InputParser.menuChoice("/" + words[i]));
      assertEquals(i + 1, InputParser.menuChoice(String.valueOf(i + 1)));
    }
    assertEquals(new ChatInput.Connect("127.0.0.1:5000"), InputParser.parse("/conectar 127.0.0.1:5000"));
    assertEquals(new ChatInput.Broadcast("hola"), InputParser.parse("/enviar hola"));
    assertEquals(new ChatInput.Direct("bob", "hola"), InputParser.parse("/mensaje bob hola"));
    assertEquals(new ChatInput.Call("bob", ""), InputParser.parse("/llamar bob"));
    assertEquals(new ChatInput.Name("1", "roberto"), InputParser.parse("/nombre 1 roberto"));
    assertEquals(new ChatInput.Disconnect("all"), InputParser.parse("/desconectar all"));
    assertEquals(new ChatInput.Scan("127.0.0.1", "9"), InputParser.parse("/escaneo 127.0.0.1 --port 9"));
    assertEquals(0, InputParser.menuChoice("hola"));
    assertEquals(0, InputParser.menuChoice("10"));
    assertEquals(9, InputParser.menuChoice("exit"));
  }

  @Test
  void aWordAtTheMenuPromptRunsItsItemLikeTheNumber() throws Exception {
    chat.connect(bob);
    console.answer("conexiones");
    chat.session.handle(InputParser.parse("?"));
    console.await(l -> l.startsWith("1  bob ["));
    assertTrue(console.lines().contains("  9. exit"), console.lines().toString());
    console.answer("enviar", "por palabra");
    chat.session.handle(InputParser.parse("/menu"));
    assertEquals("TEXT por palabra", messages.poll(10, TimeUnit.SECONDS));
    console.clear();
    console.answer("hola");
    chat.session.handle(new ChatInput.Menu());
    assertEquals(1, chat.count("error: no menu item 'hola'"), console.lines().toString());
    console.answer("");
    chat.session.handle(new ChatInput.Menu());
    console.answer("/salir");
    chat.session.handle(new ChatInput.Menu());
    assertTrue(chat.session.quitting());
    assertTrue(messages.isEmpty(), messages.toString());
  }

  @Test
  void menuItemOneAsksThePortApartWhenOnlyAnAddressIsGiven() throws Exception {
    console.answer("127.0.32.2", String.valueOf(bob.localAddress().getPort()));
    chat.session.handle(InputParser.parse("/conectar"));
    console.await(l -> l.contains("+ bob joined"));
    assertTrue(console.lines().contains("port (Enter for 9999):"), console.lines().toString());
    console.clear();
    // End of input at the port question cancels; it never connects to a guessed port.
    console.answer("127.0.32.3");
    chat.session.handle(new ChatInput.MenuItem(1));
    assertEquals(1, chat.count("cancelled"), console.lines().toString());
    assertEquals(0, chat.count("connecting"), console.lines().toString());
  }

  @Test
  void theChatSpeaksSpanishWithTheOriginalsCallAndKeepsTheErrorPrefix() throws Exception {
    Text.use(Locale.forLanguageTag("es"));
    // The format was made in English: lines read the language at the time they are printed.
    ChatFixture es = new ChatFixture("127.0.32.3", false, null);
    try {
      es.session.handle(new ChatInput.Menu());
      assertTrue(es.console.lines().contains("  9. salir"), es.console.lines().toString());
      es.session.handle(InputParser.parse("hola"));
      assertEquals(1, es.count("error: no hay vecinos conectados: nadie a quien enviar"),
          es.console.lines().toString());
      // Bob connects: his future hands him ana, whom he calls at once.
      Peer ana = bob.connect(es.me.localAddress()).get(10, TimeUnit.SECONDS);
      es.console.await(l -> l.contains("+ bob se unió desde 127.0.32.2:") && l.contains("entrante"));
      bob.call(ana, "¿estás?").get(10, TimeUnit.SECONDS);
      es.console.await(l -> l.contains("*** Estás siendo llamado desde bob: ¿estás? ***"));
      es.session.handle(InputParser.parse("/llamar bob ven"));
      es.console.await(l -> l.endsWith("llamaste a bob: ven"));
      assertEquals("CALL ven", messages.poll(10, TimeUnit.SECONDS));
      es.session.handle(InputParser.parse("/msg"));
      assertEquals(1, es.count("error: uso: /msg <vecino> <texto>"), es.console.lines().toString());
      es.session.handle(InputParser.parse("/conexiones"));
      es.console.await(l -> l.startsWith("#  vecino"));
      es.session.handle(InputParser.parse("/desconectar todos"));
      es.console.await(l -> l.endsWith("desconectados todos (1)"));
      es.session.shutdown();
      es.console.await(l -> l.endsWith("] adiós"));
      assertFalse(es.console.lines().stream().anyMatch(l -> l.contains("peer")),
          es.console.lines().toString());
    } finally {
      es.close();
    }
  }

  /** Keeps the list of words the tests use in one place with the parser's. */
  @Test
  void theWordsAreTheOriginals() {
    assertEquals(List.of("conectar", "enviar", "mensaje", "conexiones", "escaneo", "nombre",
        "llamar", "desconectar", "salir"), InputParser.WORDS);
  }
}
