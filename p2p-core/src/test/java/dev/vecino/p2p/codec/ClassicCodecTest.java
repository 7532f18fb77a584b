package dev.vecino.p2p.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Direction;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClassicCodecTest {

  private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.7", 9999);
  private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.5", 40000);

  private static CodecSession session(Codec codec, Direction d) {
    return codec.newSession(new SessionInfo(d, LOCAL, REMOTE, "ana", 1 << 20));
  }

  private static CodecSession inbound() {
    return session(Codec.classic(), Direction.INBOUND);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void acceptorGreetsWithDisplayNameOrTheOriginalsName() {
    assertArrayEquals(utf8("ana"), inbound().openingBytes());
    assertArrayEquals(utf8("Vecino_5"),
        session(ClassicCodec.create(ClassicCodec.Greeting.ORIGINAL), Direction.INBOUND).openingBytes());
    assertEquals(0, session(Codec.classic(), Direction.OUTBOUND).openingBytes().length,
        "the connecting side reads the greeting, it sends none");
  }

  @Test
  void connectorReadsFirstChunkAsTheGreeting() throws Exception {
    CodecSession s = session(Codec.classic(), Direction.OUTBOUND);
    Collected c = Collected.feed(s, utf8("Vecino_7"));
    assertEquals(List.of("Vecino_7"), c.names);
    assertTrue(c.frames.isEmpty());
    Collected later = Collected.feed(s, utf8("hola"));
    assertEquals(List.of("TEXT:hola"), later.texts());
  }

  @Test
  void eachChunkIsOneMessageOfAtMost1024Bytes() throws Exception {
    byte[] data = utf8("a".repeat(2500));
    Collected c = Collected.feed(inbound(), data);
    assertEquals(List.of(1024, 1024, 452), c.frames.stream().map(f -> f.body().length).toList());
  }

  @Test
  void cutsFallBetweenCharacters() throws Exception {
    // 1023 ASCII bytes then 'é' (2 bytes): the 1024-byte cut would split it.
    String text = "a".repeat(1023) + "é" + "b";
    Collected c = Collected.feed(inbound(), utf8(text));
    assertEquals(List.of("TEXT:" + "a".repeat(1023), "TEXT:éb"), c.texts());
  }

  @Test
  void characterSplitAcrossReadsIsHeldUntilComplete() throws Exception {
    byte[] data = utf8("canción");
    int cut = data.length - 2; // inside 'ó'
    Collected c = Collected.feed(inbound(), data, cut);
    assertEquals(List.of("TEXT:canci", "TEXT:ón"), c.texts());
  }

  @Test
  void callIsAnnouncementThenText() throws Exception {
    CodecSession s = inbound();
    Collected c = Collected.feed(s, utf8("Estás siendo llamado desde 127.0.0.5"));
    assertTrue(c.frames.isEmpty(), "the text is still to come");
    Collected c2 = Collected.feed(s, utf8("¡baja a cenar!"));
    assertEquals(List.of("CALL:¡baja a cenar!"), c2.texts());
    Collected c3 = Collected.feed(s, utf8("ya"));
    assertEquals(List.of("TEXT:ya"), c3.texts());
  }

  @Test
  void mergedCallPartsAreSplitAfterTheAddress() throws Exception {
    Collected c = Collected.feed(inbound(), utf8("Estás siendo llamado desde 127.0.0.5ven"));
    assertEquals(List.of("CALL:ven"), c.texts());
    Collected other = Collected.feed(inbound(), utf8("Estás siendo llamado desde 192.168.1.20hola"));
    assertEquals(List.of("CALL:hola"), other.texts());
  }

  @Test
  void secondAnnouncementDeliversTheFirstCallWithoutText() throws Exception {
    CodecSession s = inbound();
    Collected.feed(s, utf8("Estás siendo llamado desde 127.0.0.5"));
    Collected c = Collected.feed(s, utf8("Estás siendo llamado desde 127.0.0.5"));
    assertEquals(List.of("CALL:"), c.texts());
  }

  @Test
  void sendingACallWritesBothParts() throws Exception {
    CodecSession s = inbound();
    byte[] p = utf8("hola");
    ByteBuffer out = ByteBuffer.allocate(s.encodedLength(FrameType.CALL, p.length));
    s.encode(FrameType.CALL, ByteBuffer.wrap(p), out);
    assertEquals(0, out.remaining());
    assertEquals("Estás siendo llamado desde 127.0.0.7hola", new String(out.array(), UTF_8));
  }

  @Test
  void textIsSentRawWithoutDelimiter() throws Exception {
    CodecSession s = inbound();
    byte[] p = utf8("qué tal");
    ByteBuffer out = ByteBuffer.allocate(s.encodedLength(FrameType.TEXT, p.length));
    s.encode(FrameType.TEXT, p, 0, p.length, out);
    assertArrayEquals(p, out.array());
    assertFalse(s.supports(FrameType.PING));
    assertFalse(s.supports(FrameType.BYE));
    assertThrows(CodecException.class, () -> s.encode(FrameType.HELLO, ByteBuffer.allocate(0),
        ByteBuffer.allocate(8)));
  }

  @Test
  void greetingPredicateTellsClassicPeersFromOtherServices() {
    assertTrue(ClassicCodec.isGreeting(utf8("Vecino_5"), 0, 8));
    assertTrue(ClassicCodec.isGreeting(utf8("José"), 0, 5));
    assertFalse(ClassicCodec.isGreeting(new byte[0], 0, 0));
    byte[] hello = {0, 0, 0, 42, 1, 'V', 'C', 'N', 'O'};
    assertFalse(ClassicCodec.isGreeting(hello, 0, hello.length), "framed Vecino HELLO");
    byte[] ssh = utf8("SSH-2.0-OpenSSH_9.6\r\n");
    assertFalse(ClassicCodec.isGreeting(ssh, 0, ssh.length), "line banner");
    byte[] bad = {(byte) 0xC3, 0x28};
    assertFalse(ClassicCodec.isGreeting(bad, 0, 2), "malformed UTF-8");
    assertFalse(ClassicCodec.isGreeting(utf8("   "), 0, 3));
    byte[] longOne = utf8("x".repeat(256));
    assertFalse(ClassicCodec.isGreeting(longOne, 0, longOne.length));
  }

  @Test
  void greetingNameIsSanitised() {
    assertEquals(Optional.of("Vecino_5"), ClassicCodec.greetingName(utf8(" Vecino_5\r\n"), 0, 11));
    assertEquals(Optional.empty(), ClassicCodec.greetingName(utf8("\n\t"), 0, 2));
    byte[] big = utf8("é".repeat(200));
    String name = ClassicCodec.greetingName(big, 0, big.length).orElseThrow();
    assertTrue(name.getBytes(UTF_8).length <= 255);
    assertEquals(127, name.length());
  }
}
