package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.embedded.EmbeddedChannel;
import dev.vecino.p2p.embedded.EmbeddedEventLoop;
import dev.vecino.p2p.internal.tls.NodeTls;
import dev.vecino.p2p.transport.Channel;
import dev.vecino.p2p.transport.ChannelHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The TLS stage alone, two of them over in-memory channels on the test thread: the test moves
 * the bytes, cuts them, fills and drains the sockets, and closes them, so each hazard of a TLS
 * stream over non-blocking I/O is met deterministically rather than by chance under load.
 */
class TlsStageTest {

  private static final long LINGER = TimeUnit.SECONDS.toNanos(5);
  private static final byte[] PRE_HELLO = "pre-hello".getBytes(StandardCharsets.US_ASCII);

  private final EmbeddedEventLoop loop = new EmbeddedEventLoop();
  private Side client;
  private Side server;

  /** One end: its stage, the connection above it (a recorder) and the channel below it. */
  private final class Side implements ChannelHandler, TlsStage.Listener {
    final TlsStage stage;
    final EmbeddedChannel channel;
    final ByteArrayOutputStream plaintext = new ByteArrayOutputStream();
    X509Certificate secured;
    String failed;
    IOException closedWith;
    boolean closed;
    int writables;
    /** How much of the channel's output the other side has read. */
    int delivered;

    Side(SSLEngineFactory engine, int port) {
      stage = new TlsStage(this, engine.create(), this, Runnable::run, LINGER, LINGER);
      channel = new EmbeddedChannel(loop, stage, new InetSocketAddress("127.0.0.1", port));
    }

    @Override
    public void onOpen(Channel channel) {
      // The connection: nothing to do until the session speaks.
    }

    @Override
    public void onRead(ByteBuffer data) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      plaintext.writeBytes(b);
    }

    @Override
    public void onWritable() {
      writables++;
    }

    @Override
    public void onClosed(IOException cause) {
      closed = true;
      closedWith = cause;
    }

    @Override
    public void secured(X509Certificate peer) {
      secured = peer;
    }

    @Override
    public void tlsFailed(String reason) {
      failed = reason;
    }

    @Override
    public byte[] preHelloFrame() {
      return PRE_HELLO;
    }
  }

  @FunctionalInterface
  private interface SSLEngineFactory {
    javax.net.ssl.SSLEngine create();
  }

  /** A P-256 key pair, as a node's (also for {@code TlsStepsTest}). */
  static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  @BeforeEach
  void handshake() throws Exception {
    loop.claim();
    NodeTls a = NodeTls.create(keyPair());
    NodeTls b = NodeTls.create(keyPair());
    client = new Side(a::clientEngine, 1000);
    server = new Side(b::serverEngine, 2000);
    client.channel.open();
    server.channel.open();
    pump();
    assertArrayEquals(PRE_HELLO, client.plaintext.toByteArray(), "the acceptor's pre-HELLO comes up in clear");
    client.plaintext.reset();
    client.stage.startClient();
    pump();
    assertTrue(client.stage.isSecured() && server.stage.isSecured(), "the tunnel is up");
    assertNull(client.failed);
    assertNull(server.failed);
  }

  /** Moves what each side wrote to the other, as one read each, until neither writes more. */
  private void pump() {
    for (int round = 0; round < 100; round++) {
      boolean moved = move(client, server) | move(server, client);
      if (!moved) {
        return;
      }
    }
    throw new AssertionError("the two stages never went quiet");
  }

  private boolean move(Side from, Side to) {
    byte[] out = from.channel.writtenFrom(from.delivered);
    if (out.length == 0 || !to.channel.open) {
      return false;
    }
    from.delivered += out.length;
    to.channel.feed(out);
    return true;
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  @Test
  void recordsCutAnywhereComeUpWhole() throws Exception {
    byte[] message = random(40_000);
    assertEquals(message.length, client.stage.write(ByteBuffer.wrap(message)));
    byte[] wire = client.channel.writtenFrom(client.delivered);
    client.delivered += wire.length;
    server.channel.feedCut(wire, 1, 5, 6, 700, 16_000, 16_500, 30_001);
    assertArrayEquals(message, server.plaintext.toByteArray());
  }

  /** One read holding {@code records} one-byte records, 0, 1, 2, ..., handed to the server's stage without running tasks. */
  private byte[] readOfSmallRecords(int records) throws IOException {
    byte[] sent = new byte[records];
    for (int i = 0; i < records; i++) {
      sent[i] = (byte) i;
      assertEquals(1, client.stage.write(ByteBuffer.wrap(sent, i, 1)), "one record per write");
    }
    byte[] wire = client.channel.writtenFrom(client.delivered);
    client.delivered += wire.length;
    server.stage.onRead(ByteBuffer.wrap(wire));
    return sent;
  }

  @Test
  void unwrapsAtMostATurnsRecordsAndReadsTheSocketAgainOnceTheRestIsUp() throws Exception {
    int records = 2 * TlsReadGate.RECORDS_PER_TURN + 10;
    byte[] sent = readOfSmallRecords(records);
    assertEquals(TlsReadGate.RECORDS_PER_TURN, server.plaintext.size(), "one turn's records");
    assertTrue(server.channel.readPaused, "the socket waits while records are left");
    loop.runTurn();
    assertEquals(2 * TlsReadGate.RECORDS_PER_TURN, server.plaintext.size(), "the next turn's");
    assertTrue(server.channel.readPaused);
    loop.runTurn();
    assertArrayEquals(sent, server.plaintext.toByteArray(), "the rest, in order");
    assertFalse(server.channel.readPaused, "nothing left: the socket is read again");
    loop.runTurn();
    assertEquals(0, loop.pendingTasks(), "a quiet connection queues no turns");
  }

  @Test
  void aPauseByTheConnectionDuringAYieldHoldsTheRestUntilItResumes() throws Exception {
    int records = TlsReadGate.RECORDS_PER_TURN + 10;
    byte[] sent = readOfSmallRecords(records);
    server.stage.pauseReading(true);
    loop.runTurn();
    assertEquals(TlsReadGate.RECORDS_PER_TURN, server.plaintext.size(), "nothing goes up while paused");
    assertTrue(server.channel.readPaused, "the next turn does not read the socket for a paused connection");
    server.stage.pauseReading(false);
    loop.runTasks();
    assertArrayEquals(sent, server.plaintext.toByteArray());
    assertFalse(server.channel.readPaused);
  }

  @Test
  void heldRecordsGoOutBeforeThePeersEndOfStreamIsRead() throws Exception {
    // The client's socket takes only part of a write: the rest of its records are held, and
    // the write counts them as taken (so their messages are reported as written).
    byte[] message = random(60_000);
    client.channel.writeBudget = 10_000;
    assertEquals(message.length, client.stage.write(ByteBuffer.wrap(message)), "held records count as taken");
    assertTrue(client.channel.writeWanted, "the stage waits for the socket to drain");

    // The server ends its stream: close_notify, then its FIN. Reading the close_notify, the
    // client must stop reading, or the transport reads the EOF and closes the socket with the
    // held records.
    server.stage.shutdownOutput();
    assertTrue(server.channel.outputShut);
    move(server, client);
    assertTrue(client.channel.readPaused, "the end of stream waits while records are held");

    client.channel.drain(Long.MAX_VALUE);
    assertFalse(client.channel.readPaused, "the records are out: the end of stream may be read");
    pump();
    assertArrayEquals(message, server.plaintext.toByteArray(), "every record taken reached the peer");
  }

  @Test
  void aCloseAfterThePeersCloseNotifyKeepsReadingPausedUntilTheRecordsAreOut() throws Exception {
    byte[] message = random(50_000);
    client.channel.writeBudget = 1_000;
    client.stage.write(ByteBuffer.wrap(message));
    server.stage.shutdownOutput();
    move(server, client);
    // The connection read the peer's BYE and closes: the close must not resume reading.
    client.stage.close();
    loop.runTasks();
    assertTrue(client.channel.readPaused, "a close does not read the end of stream before the records are out");
    assertTrue(client.channel.open, "the close lingers for the held records");

    client.channel.drain(Long.MAX_VALUE);
    pump();
    assertArrayEquals(message, server.plaintext.toByteArray(), "every record taken reached the peer");
    assertTrue(client.channel.outputShut, "close_notify and the half-close follow the records");
  }

  /**
   * The peer's BYE came in one read, its close_notify and FIN come in a later one: the close
   * must not read before the held records are out. A closing stage drops what it reads without
   * unwrapping it, so it would miss the close_notify, and the transport would close the socket
   * on the FIN with the records (WritePathStressTest's rare TLS loss on a receiver's disconnect).
   */
  @Test
  void aCloseBeforeThePeersCloseNotifyReadsNothingUntilTheRecordsAreOut() throws Exception {
    byte[] message = closeWithRecordsHeld();
    assertTrue(client.channel.readPaused, "nothing is read, so no end of stream, while records are held");
    assertTrue(client.channel.open, "the close lingers for the held records");
    server.stage.shutdownOutput();

    client.channel.drain(Long.MAX_VALUE);
    assertFalse(client.channel.readPaused, "the records are out: the peer's last records are read and dropped");
    pump();
    assertArrayEquals(message, server.plaintext.toByteArray(), "every record taken reached the peer");
    assertTrue(client.channel.outputShut, "close_notify and the half-close follow the records");
  }

  /**
   * Writes 50,000 bytes through a socket that takes 1,000 (the stage takes them all and holds
   * records) and closes the client's stage. Returns what was written.
   */
  private byte[] closeWithRecordsHeld() throws IOException {
    byte[] message = random(50_000);
    client.channel.writeBudget = 1_000;
    assertEquals(message.length, client.stage.write(ByteBuffer.wrap(message)));
    client.stage.close();
    loop.runTasks();
    return message;
  }

  /** A closing stage reads the peer's last records even when the connection pauses it then. */
  @Test
  void aClosingStageKeepsReadingWhateverTheConnectionAsks() throws Exception {
    client.stage.close();
    loop.runTasks();
    assertFalse(client.channel.readPaused, "nothing held: the close reads the peer's last records");
    client.stage.pauseReading(true);
    loop.runTasks();
    assertFalse(client.channel.readPaused, "the connection's pause does not stop a closing stage's reads");
  }

  @Test
  void aConnectionThatPausedReadingStaysPausedAfterTheRecordsAreOut() throws Exception {
    client.channel.writeBudget = 1_000;
    client.stage.write(ByteBuffer.wrap(random(30_000)));
    client.stage.pauseReading(true);
    server.stage.shutdownOutput();
    move(server, client);
    client.channel.drain(Long.MAX_VALUE);
    assertTrue(client.channel.readPaused, "the connection's own pause holds");
    client.stage.pauseReading(false);
    loop.runTasks();
    assertFalse(client.channel.readPaused);
  }

  /**
   * The peer's BYE made the connection close while records were held; then a writer found the
   * stage closing, and its write error closed the connection again: that second close must not
   * cut the linger short (WritePathStressTest lost messages whose futures had succeeded).
   */
  @Test
  void aSecondCloseWhileRecordsAreHeldKeepsLingering() throws Exception {
    byte[] message = closeWithRecordsHeld();
    assertThrows(SSLException.class, () -> client.stage.write(ByteBuffer.wrap(random(100))),
        "a writer finds the stage closing");
    client.stage.close();
    loop.runTasks();
    assertTrue(client.channel.open, "the second close lingers too: records are held");

    client.channel.drain(Long.MAX_VALUE);
    pump();
    assertArrayEquals(message, server.plaintext.toByteArray(), "every record taken reached the peer");
  }

  @Test
  void aLingerThatRunsOutClosesTheConnection() throws Exception {
    client.channel.writeBudget = 1_000;
    client.stage.write(ByteBuffer.wrap(random(30_000)));
    server.stage.shutdownOutput();
    move(server, client);
    client.stage.close();
    loop.runTasks();
    assertTrue(client.channel.open);
    loop.advance(LINGER, TimeUnit.NANOSECONDS);
    assertFalse(client.channel.open, "a socket that never drains is closed after the linger");
    assertTrue(client.closed);
  }
}
