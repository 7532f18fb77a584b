package dev.vecino.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InputParserTest {

  @Test
  void plainLineIsABroadcast() {
    assertEquals(new ChatInput.Broadcast("hola a todos"), InputParser.parse("  hola a todos "));
  }

  @Test
  void blankLineIsIgnored() {
    assertInstanceOf(ChatInput.Empty.class, InputParser.parse("   "));
  }

  @Test
  void singleDigitSelectsMenuItem() {
    assertEquals(new ChatInput.MenuItem(3), InputParser.parse("3"));
    assertEquals(new ChatInput.MenuItem(9), InputParser.parse(" 9 "));
    assertEquals(new ChatInput.Broadcast("10"), InputParser.parse("10"));
    assertEquals(new ChatInput.Broadcast("0"), InputParser.parse("0"));
  }

  @Test
  void menuAndQuestionMarkShowTheMenu() {
    assertInstanceOf(ChatInput.Menu.class, InputParser.parse("?"));
    assertInstanceOf(ChatInput.Menu.class, InputParser.parse("menu"));
    assertInstanceOf(ChatInput.Menu.class, InputParser.parse("/menu"));
  }

  @Test
  void doubleSlashSendsALiteralSlash() {
    assertEquals(new ChatInput.Broadcast("/shrug"), InputParser.parse("//shrug"));
  }

  @Test
  void msgTakesTargetAndRestOfLine() {
    assertEquals(new ChatInput.Direct("bob", "hola  que tal"), InputParser.parse("/msg bob hola  que tal"));
    assertEquals(new ChatInput.Direct("2", ""), InputParser.parse("/msg 2"));
  }

  @Test
  void targetsMayBeQuotedOrEscaped() {
    assertEquals(new ChatInput.Direct("ana maria", "hi"), InputParser.parse("/msg \"ana maria\" hi"));
    assertEquals(new ChatInput.Call("ana maria", ""), InputParser.parse("/call ana\\ maria"));
  }

  @Test
  void trustTakesAFingerprintWithItsSpacesOrAPeerAndUntrustAFingerprintOrId() {
    assertEquals(new ChatInput.Trust("MFZWI3D BONSGYC"), InputParser.parse("/trust  MFZWI3D BONSGYC "));
    assertEquals(new ChatInput.Trust("\"ana maria\""), InputParser.parse("/trust \"ana maria\""));
    assertEquals(new ChatInput.Untrust("3f2a9c01"), InputParser.parse("/UNTRUST 3f2a9c01"));
    ChatInput bare = InputParser.parse("/trust");
    assertTrue(((ChatInput.Invalid) bare).message().startsWith("usage: /trust <fingerprint|peer>"), bare.toString());
    ChatInput none = InputParser.parse("/untrust ");
    assertTrue(((ChatInput.Invalid) none).message().startsWith("usage: /untrust <fingerprint|id>"), none.toString());
    assertTrue(InputParser.COMMANDS.containsAll(java.util.List.of("/trust", "/untrust")), "completion offers them");
  }

  @Test
  void msgWithoutTargetIsInvalidWithUsage() {
    ChatInput in = InputParser.parse("/msg");
    assertInstanceOf(ChatInput.Invalid.class, in);
    assertTrue(((ChatInput.Invalid) in).message().startsWith("usage: /msg"));
  }

  @Test
  void connectNeedsExactlyOneAddress() {
    assertEquals(new ChatInput.Connect("127.0.0.1:9999"), InputParser.parse("/connect 127.0.0.1:9999"));
    assertInstanceOf(ChatInput.Invalid.class, InputParser.parse("/connect"));
    assertInstanceOf(ChatInput.Invalid.class, InputParser.parse("/connect a:1 b:2"));
  }

  @Test
  void nameWithoutAliasClearsIt() {
    assertEquals(new ChatInput.Name("1", "bobby"), InputParser.parse("/name 1 bobby"));
    assertEquals(new ChatInput.Name("1", null), InputParser.parse("/name 1"));
  }

  @Test
  void disconnectTakesOneTarget() {
    assertEquals(new ChatInput.Disconnect("all"), InputParser.parse("/disconnect all"));
    assertInstanceOf(ChatInput.Invalid.class, InputParser.parse("/disconnect"));
  }

  @Test
  void scanTakesTargetsAndPort() {
    assertEquals(new ChatInput.Scan(null, null), InputParser.parse("/scan"));
    assertEquals(new ChatInput.Scan("127.0.0.0/24,127.0.1.5", "9000-9010"),
        InputParser.parse("/scan 127.0.0.0/24 127.0.1.5 --port 9000-9010"));
    ChatInput.Scan s = (ChatInput.Scan) InputParser.parse("/scan --port=1234");
    assertNull(s.targets());
    assertEquals("1234", s.ports());
    assertInstanceOf(ChatInput.Invalid.class, InputParser.parse("/scan --port"));
  }

  @Test
  void commandsAreCaseInsensitiveAndUnknownOnesAreNamed() {
    assertInstanceOf(ChatInput.Peers.class, InputParser.parse("/PEERS"));
    assertInstanceOf(ChatInput.Quit.class, InputParser.parse("/exit"));
    ChatInput in = InputParser.parse("/frobnicate now");
    assertEquals(new ChatInput.Invalid("unknown command /frobnicate (try /help)"), in);
  }

  @Test
  void allWithoutTextIsAnEmptyBroadcast() {
    assertEquals(new ChatInput.Broadcast(""), InputParser.parse("/all"));
  }
}
