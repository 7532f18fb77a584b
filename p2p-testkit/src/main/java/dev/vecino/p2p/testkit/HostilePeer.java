package dev.vecino.p2p.testkit;

import dev.vecino.p2p.PeerId;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A framed-protocol client for attack tests: it speaks exactly the bytes a test asks for, from
 * any 127.x source address, at any pace, and reads only when told to. It completes a handshake
 * with any id, name and group, then sends any frame (valid or not), too often, too big, or
 * never reads what the node sends.
 *
 * <p>It is written against docs/PROTOCOL.md, not against Vecino's classes, so attack tests
 * stay black-box over sockets and survive rewrites of the connection code.
 *
 * <pre>{@code
 * try (HostilePeer mallory = HostilePeer.to(node.localAddress())
 *         .from(InetAddress.getByName("127.0.0.7")).receiveBuffer(4096).connect()) {
 *   mallory.handshake(PeerId.random(), "mallory", "vecino");
 *   mallory.send(HostilePeer.PING, new byte[64]);
 *   HostilePeer.Frame bye = mallory.readUntil(HostilePeer.BYE, Duration.ofSeconds(2));
 * }
 * }</pre>
 *
 * <p><b>Secure nodes</b> ({@link Builder#tls}): the peer reads the node's pre-HELLO in clear,
 * completes the TLS 1.3 handshake with the key of the context it was given, and then speaks
 * frames inside the tunnel exactly as above: HELLOs say version 2, and a HELLO whose id is not
 * {@link #id()} (the key's) is refused by the node. An attacker that completes the handshake
 * and then misbehaves is what the node must survive.
 *
 * <p>Blocking sockets: one peer per test thread. Sends block when the node stops reading
 * (that is the point of some attacks); use {@link #trySend} to stop at a deadline instead.
 *
 * <p><b>Thread safety:</b> not thread-safe, except {@link #close()} and {@link #abort()},
 * which may be called from any thread to end a blocked call.
 */
public final class HostilePeer implements Closeable {

  /** Frame type code of HELLO. */
  public static final int HELLO = 0x01;
  /**
   * Frame type code of ADMIT (secure nodes, docs/PROTOCOL.md 1.9). A node that admits anyone
   * offers and says HELLO at once; {@link #read} passes over that offer.
   */
  public static final int ADMIT = 0x08;
  /** Frame type code of TEXT. */
  public static final int TEXT = 0x02;
  /** Frame type code of BINARY. */
  public static final int BINARY = 0x03;
  /** Frame type code of CALL. */
  public static final int CALL = 0x04;
  /** Frame type code of PING. */
  public static final int PING = 0x05;
  /** Frame type code of PONG. */
  public static final int PONG = 0x06;
  /** Frame type code of BYE. */
  public static final int BYE = 0x07;

  /** The largest frame {@link #read} accepts, so a test cannot be made to allocate without bound. */
  public static final int MAX_READ_FRAME = 64 * 1024 * 1024;

  private static final byte[] MAGIC = {'V', 'C', 'N', 'O'};
  private static final String TLS_13 = "TLSv1.3";

  /** The TCP socket: timeouts, addresses and resets act on it, in clear or under TLS. */
  private final Socket socket;
  /** The socket frames go through: {@link #socket}, or the TLS socket layered over it. */
  private Socket io;
  private InputStream in;
  private OutputStream out;
  /** The version this peer's HELLOs say: 1 in clear, 2 inside TLS. */
  private int version = 1;
  private PeerId id = PeerId.random();
  /** A write is under way: {@link #close()} from another thread must not wait for the TLS write lock. */
  private volatile boolean writing;
  /** Bytes read but not yet returned as frames: a read that times out mid-frame loses nothing. */
  private byte[] pending = new byte[8192];
  private int pendingLength;
  /** Inside TLS: the node's admission offer was read (skipped when it admits anyone). */
  private boolean offerSkipped;
  private long bytesRead;
  private long bytesSent;

  private HostilePeer(Socket socket) throws IOException {
    this.socket = socket;
    this.io = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Reads the pre-HELLO in clear, then runs the TLS 1.3 handshake as the client over the same socket. */
  private void startTls(SSLContext context, Duration timeout) throws IOException {
    Hello pre = readHello(timeout);
    if (pre.maxVersion() < 2) {
      throw new IOException("the node speaks protocol " + pre.minVersion() + ".." + pre.maxVersion() + ", not TLS");
    }
    if (pendingLength != 0) {
      throw new IOException("the node sent " + pendingLength + " bytes after its pre-HELLO, before TLS");
    }
    // No host: no SNI and no session resumption, as between nodes.
    SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, null, socket.getPort(), true);
    tls.setUseClientMode(true);
    tls.setEnabledProtocols(new String[] {TLS_13});
    socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
    tls.startHandshake();
    this.io = tls;
    this.in = tls.getInputStream();
    this.out = tls.getOutputStream();
    this.version = 2;
    this.id = PeerId.of(tls.getSession().getLocalCertificates()[0].getPublicKey());
  }

  /**
   * Starts describing a connection to a node.
   *
   * @param target the node's address (127.0.0.0/8)
   * @return a builder; {@link Builder#connect()} opens the connection
   */
  public static Builder to(InetSocketAddress target) {
    return new Builder(Objects.requireNonNull(target, "target"));
  }

  /**
   * Accepts one connection on {@code server}: the hostile side as the acceptor, for a node that
   * connects out. Nothing is sent until the test says so (a real acceptor sends HELLO first:
   * call {@link #sendHello}).
   *
   * @param server a listening socket on 127.0.0.0/8
   * @return the accepted peer
   * @throws IOException if accepting fails
   */
  public static HostilePeer acceptFrom(ServerSocket server) throws IOException {
    return new HostilePeer(server.accept());
  }

  /** Options of a connection, then {@link #connect()}. Not thread-safe. */
  public static final class Builder {
    private final InetSocketAddress target;
    private InetAddress source;
    private int receiveBuffer;
    private int sendBuffer;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private SSLContext tls;

    private Builder(InetSocketAddress target) {
      this.target = target;
    }

    /**
     * The local address to connect from (default: the system's choice, 127.0.0.1 for a
     * loopback target). Any 127.x address works on Linux without configuration.
     *
     * @param source a 127.0.0.0/8 address
     * @return this builder
     */
    public Builder from(InetAddress source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * The socket's receive buffer (SO_RCVBUF), set before connecting; a small one makes a
     * peer that never reads fill up at once.
     *
     * @param bytes the size in bytes, at least 1
     * @return this builder
     */
    public Builder receiveBuffer(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("receiveBuffer must be at least 1: " + bytes);
      }
      this.receiveBuffer = bytes;
      return this;
    }

    /**
     * The socket's send buffer (SO_SNDBUF).
     *
     * @param bytes the size in bytes, at least 1
     * @return this builder
     */
    public Builder sendBuffer(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("sendBuffer must be at least 1: " + bytes);
      }
      this.sendBuffer = bytes;
      return this;
    }

    /**
     * How long the TCP connect may take (default 5 s).
     *
     * @param timeout the timeout, positive
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout must be positive: " + timeout);
      }
      this.connectTimeout = timeout;
      return this;
    }

    /**
     * Speaks to a secure node: {@link #connect()} then reads its pre-HELLO and completes the TLS
     * 1.3 handshake, presenting the certificate of {@code context}'s key manager (a node's
     * context: self-signed, on P-256), so the node accepts the tunnel.
     *
     * @param context a TLS 1.3 context whose key manager holds this peer's key and certificate
     * @return this builder
     */
    public Builder tls(SSLContext context) {
      this.tls = Objects.requireNonNull(context, "context");
      return this;
    }

    /**
     * Opens the TCP connection; sends nothing. With {@link #tls}, also reads the pre-HELLO and
     * completes the TLS handshake (within the connect timeout).
     *
     * @return the connected peer
     * @throws IOException if the connection cannot be made (refused, timed out), or the TLS
     *     handshake fails
     */
    public HostilePeer connect() throws IOException {
      Socket s = new Socket();
      try {
        s.setReuseAddress(true);
        s.setTcpNoDelay(true);
        if (receiveBuffer > 0) {
          s.setReceiveBufferSize(receiveBuffer);
        }
        if (sendBuffer > 0) {
          s.setSendBufferSize(sendBuffer);
        }
        if (source != null) {
          s.bind(new InetSocketAddress(source, 0));
        }
        s.connect(target, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        HostilePeer peer = new HostilePeer(s);
        if (tls != null) {
          peer.startTls(tls, connectTimeout);
        }
        return peer;
      } catch (IOException | RuntimeException e) {
        s.close();
        throw e;
      }
    }
  }

  /**
   * A frame as read from the wire.
   *
   * @param type the type byte (see the constants)
   * @param body the body, without length and type
   */
  public record Frame(int type, byte[] body) {
    /**
     * Copies the body.
     *
     * @param type see the record component
     * @param body see the record component
     */
    public Frame {
      body = body.clone();
    }

    @Override
    public byte[] body() {
      return body.clone();
    }

    /**
     * The body as UTF-8 text (TEXT, CALL).
     *
     * @return the text
     */
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * A BYE's reason code (the first body byte), or -1 for an empty body.
     *
     * @return the code
     */
    public int byeCode() {
      return body.length == 0 ? -1 : body[0] & 0xFF;
    }

    /**
     * A BYE's reason text (after the code byte).
     *
     * @return the text, empty when there is none
     */
    public String byeText() {
      return body.length <= 1 ? "" : new String(body, 1, body.length - 1, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return "Frame{type=0x" + Integer.toHexString(type) + ", " + body.length + " B"
          + (type == BYE ? ", code " + byeCode() + " '" + byeText() + "'" : "") + "}";
    }
  }

  /**
   * The fields of a received HELLO (docs/PROTOCOL.md 1.2).
   *
   * @param minVersion lowest protocol version the node speaks
   * @param maxVersion highest protocol version the node speaks
   * @param id the node's id
   * @param listenPort the node's listening port, 0 when it does not listen
   * @param name the node's name
   * @param group the node's group
   */
  public record Hello(int minVersion, int maxVersion, PeerId id, int listenPort, String name, String group) {}

  // ---- encoding (static: tests may build bytes to send raw) ----

  /**
   * Encodes a HELLO body speaking version 1..1 with no extensions.
   *
   * @param id the claimed id
   * @param listenPort the claimed listening port (0: not listening)
   * @param name the name, sent as given (not validated: attacks may send bad names)
   * @param group the group, sent as given
   * @return the body (without length and type)
   */
  public static byte[] helloBody(PeerId id, int listenPort, String name, String group) {
    return helloBody(1, id, listenPort, name, group);
  }

  /**
   * Encodes a HELLO body speaking {@code version..version} with no extensions: 2 inside a TLS
   * tunnel.
   *
   * @param version the protocol version, 0..255
   * @param id the claimed id
   * @param listenPort the claimed listening port (0: not listening)
   * @param name the name, sent as given
   * @param group the group, sent as given
   * @return the body (without length and type)
   */
  public static byte[] helloBody(int version, PeerId id, int listenPort, String name, String group) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] g = group.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(4 + 2 + 16 + 2 + 1 + n.length + 1 + g.length);
    b.put(MAGIC).put((byte) version).put((byte) version);
    b.putLong(id.high()).putLong(id.low());
    b.putShort((short) listenPort);
    b.put((byte) n.length).put(n);
    b.put((byte) g.length).put(g);
    return b.array();
  }

  /**
   * Encodes one frame: 4-byte length (type + body), type byte, body.
   *
   * @param type the type byte (any value: attacks may send unknown types)
   * @param body the body
   * @return the frame's bytes
   */
  public static byte[] frame(int type, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(5 + body.length);
    b.putInt(body.length + 1).put((byte) type).put(body);
    return b.array();
  }

  /**
   * Encodes a BYE body: the reason code, then the UTF-8 text.
   *
   * @param code the reason code (docs/PROTOCOL.md 1.5)
   * @param text the reason text
   * @return the body
   */
  public static byte[] byeBody(int code, String text) {
    byte[] t = text.getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[1 + t.length];
    body[0] = (byte) code;
    System.arraycopy(t, 0, body, 1, t.length);
    return body;
  }

  // ---- handshake ----

  /**
   * Plays the initiator's handshake: reads the node's HELLO (the acceptor speaks first), then
   * sends a HELLO with the given identity. Whether the node accepts shows in what follows (a
   * BYE, or silence and later frames).
   *
   * @param id the claimed id (any: ids are self-asserted until keys land)
   * @param name the claimed name
   * @param group the group
   * @return the node's HELLO
   * @throws IOException if the node sends something else, closes, or says nothing within 5 s
   */
  public Hello handshake(PeerId id, String name, String group) throws IOException {
    Hello theirs = readHello(Duration.ofSeconds(5));
    sendHello(id, name, group);
    return theirs;
  }

  /**
   * Plays the initiator's handshake under this peer's own {@link #id()}.
   *
   * @param name the claimed name
   * @param group the group
   * @return the node's HELLO
   * @throws IOException as {@link #handshake(PeerId, String, String)}
   */
  public Hello handshake(String name, String group) throws IOException {
    return handshake(id, name, group);
  }

  /**
   * Sends a HELLO with the given identity, listening port 0 (version 1 in clear, 2 under TLS).
   *
   * @param id the claimed id
   * @param name the claimed name
   * @param group the group
   * @throws IOException if the write fails
   */
  public void sendHello(PeerId id, String name, String group) throws IOException {
    send(HELLO, helloBody(version, id, 0, name, group));
  }

  /**
   * Reads the next frame and decodes it as a HELLO.
   *
   * @param timeout how long to wait for it
   * @return the HELLO's fields
   * @throws IOException if the next frame is not a well-formed HELLO (a BYE is reported with its
   *     reason), the connection closes, or nothing arrives in time
   */
  public Hello readHello(Duration timeout) throws IOException {
    Frame f = read(timeout);
    if (f.type() != HELLO) {
      throw new IOException("expected HELLO, got " + f);
    }
    ByteBuffer b = ByteBuffer.wrap(f.body);
    try {
      byte[] magic = new byte[4];
      b.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IOException("HELLO without the VCNO magic");
      }
      int min = b.get() & 0xFF;
      int max = b.get() & 0xFF;
      PeerId id = new PeerId(b.getLong(), b.getLong());
      int port = b.getShort() & 0xFFFF;
      byte[] n = new byte[b.get() & 0xFF];
      b.get(n);
      byte[] g = new byte[b.get() & 0xFF];
      b.get(g);
      return new Hello(min, max, id, port, new String(n, StandardCharsets.UTF_8), new String(g, StandardCharsets.UTF_8));
    } catch (java.nio.BufferUnderflowException e) {
      throw new IOException("truncated HELLO", e);
    }
  }

  // ---- sending ----

  /**
   * Sends one frame and flushes. Blocks while the node does not read.
   *
   * @param type the type byte (any value)
   * @param body the body
   * @throws IOException if the write fails (the node closed or reset the connection)
   */
  public void send(int type, byte[] body) throws IOException {
    sendRaw(frame(type, body));
  }

  /**
   * Sends a TEXT frame.
   *
   * @param text the text, UTF-8
   * @throws IOException if the write fails
   */
  public void sendText(String text) throws IOException {
    send(TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Sends bytes as they are: partial frames, garbage, another protocol.
   *
   * @param bytes the bytes
   * @throws IOException if the write fails
   */
  public void sendRaw(byte[] bytes) throws IOException {
    writing = true;
    try {
      out.write(bytes);
      out.flush();
    } finally {
      writing = false;
    }
    bytesSent += bytes.length;
  }

  /**
   * Sends one frame unless the node has stopped reading for longer than {@code timeout}: the
   * write happens on a helper thread and the connection is aborted when it does not finish in
   * time, so a test never blocks past its deadline.
   *
   * @param type the type byte
   * @param body the body
   * @param timeout how long the write may block
   * @return true if the frame was written, false if the write blocked until the deadline (the
   *     connection is then aborted)
   * @throws IOException if the write fails
   */
  public boolean trySend(int type, byte[] body, Duration timeout) throws IOException {
    byte[] bytes = frame(type, body);
    IOException[] failure = new IOException[1];
    Thread writer = new Thread(() -> {
      try {
        sendRaw(bytes);
      } catch (IOException e) {
        failure[0] = e;
      }
    }, "testkit-hostile-write");
    writer.setDaemon(true);
    writer.start();
    try {
      writer.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      abort();
      return false;
    }
    if (failure[0] != null) {
      throw failure[0];
    }
    return true;
  }

  // ---- reading ----

  /**
   * Reads the next frame.
   *
   * @param timeout how long to wait for a whole frame; bytes of a frame cut by the deadline are
   *     kept for the next call
   * @return the frame
   * @throws SocketTimeoutException if no whole frame arrived in time
   * @throws EOFException if the node closed the connection
   * @throws IOException if the connection was reset, or a length is above {@link #MAX_READ_FRAME}
   */
  public Frame read(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Frame f = parse();
      if (f != null && version == 2 && !offerSkipped && f.type() == ADMIT) {
        // An open node's admission offer (docs/PROTOCOL.md 1.9): its HELLO follows at once.
        offerSkipped = true;
        byte[] b = f.body();
        if (b.length >= 2 && b[0] == 1 && b[1] == 0) {
          continue;
        }
      }
      if (f != null) {
        return f;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new SocketTimeoutException("no whole frame within " + timeout.toMillis() + " ms ("
            + pendingLength + " bytes pending)");
      }
      fill(left);
    }
  }

  /**
   * Reads frames until one of {@code type} arrives; others are skipped.
   *
   * @param type the type byte wanted
   * @param timeout the deadline for the whole wait
   * @return the frame
   * @throws IOException as {@link #read}; a BYE when another type was wanted ends the wait with
   *     an exception naming it
   */
  public Frame readUntil(int type, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Frame f = read(Duration.ofNanos(Math.max(1, left)));
      if (f.type() == type) {
        return f;
      }
      if (f.type() == BYE) {
        throw new EOFException("node said BYE while waiting for type 0x" + Integer.toHexString(type) + ": " + f);
      }
    }
  }

  /**
   * Reads (and discards) until the node closes the connection.
   *
   * @param timeout how long to wait
   * @return true if the node closed (EOF) or reset the connection in time, false otherwise
   */
  public boolean awaitClosed(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        pendingLength = 0;
        fill(left);
      }
    } catch (EOFException | SocketException e) {
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private Frame parse() throws IOException {
    if (pendingLength < 4) {
      return null;
    }
    long length = ByteBuffer.wrap(pending, 0, 4).getInt() & 0xFFFFFFFFL;
    if (length < 1 || length > MAX_READ_FRAME) {
      throw new IOException("node sent a frame length of " + length);
    }
    if (pendingLength < 4 + length) {
      if (pending.length < 4 + length) {
        pending = Arrays.copyOf(pending, (int) (4 + length));
      }
      return null;
    }
    int type = pending[4] & 0xFF;
    byte[] body = Arrays.copyOfRange(pending, 5, (int) (4 + length));
    int consumed = (int) (4 + length);
    System.arraycopy(pending, consumed, pending, 0, pendingLength - consumed);
    pendingLength -= consumed;
    return new Frame(type, body);
  }

  private void fill(long timeoutNanos) throws IOException {
    if (pendingLength == pending.length) {
      pending = Arrays.copyOf(pending, pending.length * 2);
    }
    socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutNanos / 1_000_000)));
    int n = in.read(pending, pendingLength, pending.length - pendingLength);
    if (n < 0) {
      throw new EOFException("node closed the connection");
    }
    pendingLength += n;
    bytesRead += n;
  }

  // ---- state ----

  /**
   * The id this peer's HELLOs say by default: under TLS the one its key proves (the only one
   * the node accepts), in clear a random one.
   *
   * @return the id
   */
  public PeerId id() {
    return id;
  }

  /**
   * Whether frames go through a TLS tunnel.
   *
   * @return true after a {@link Builder#tls} connect
   */
  public boolean isSecure() {
    return io != socket;
  }

  /**
   * The local (source) address of this connection.
   *
   * @return the address
   */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /**
   * Bytes read from the node so far.
   *
   * @return the count
   */
  public long bytesRead() {
    return bytesRead;
  }

  /**
   * Bytes sent to the node so far.
   *
   * @return the count
   */
  public long bytesSent() {
    return bytesSent;
  }

  /**
   * Whether the socket is still open on this side.
   *
   * @return true until {@link #close()} or {@link #abort()}
   */
  public boolean isOpen() {
    return !socket.isClosed();
  }

  /** Closes with a reset (SO_LINGER 0): the node sees "connection reset", as after a crash. Any thread. */
  public void abort() {
    try {
      socket.setSoLinger(true, 0);
    } catch (SocketException e) {
      // Already closed or broken: the plain close below is all that is left.
    }
    closeQuietly();
  }

  /** Closes the connection (FIN). Idempotent; any thread. */
  @Override
  public void close() {
    closeQuietly();
  }

  private void closeQuietly() {
    try {
      // close_notify first, unless a writer holds the TLS socket (the node stopped reading):
      // closing the TCP socket under it ends that write at once.
      if (io != socket && !writing && socket.getSoLinger() != 0) {
        io.close();
      }
      socket.close();
    } catch (IOException e) {
      // Closing a test socket: nothing useful to report.
    }
  }

  @Override
  public String toString() {
    return "HostilePeer{" + socket.getLocalSocketAddress() + " -> " + socket.getRemoteSocketAddress() + "}";
  }
}
