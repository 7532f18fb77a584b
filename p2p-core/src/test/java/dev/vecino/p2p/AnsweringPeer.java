package dev.vecino.p2p;

import dev.vecino.p2p.codec.FrameType;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * A hand-made framed peer with a reader thread: after its handshake it answers PINGs with
 * PONGs and records texts and BYEs, until {@link #freeze() frozen} (it then reads and answers
 * nothing, like a process that stopped) or closed.
 */
final class AnsweringPeer implements Closeable {
  final RawPeer raw;
  final List<String> texts = new CopyOnWriteArrayList<>();
  /** BYE bodies received: the code byte, then the text. */
  final List<byte[]> byes = new CopyOnWriteArrayList<>();
  private volatile boolean frozen;
  private volatile boolean ended;
  private final Thread reader;

  private AnsweringPeer(RawPeer raw) {
    this.raw = raw;
    this.reader = new Thread(this::readLoop, "test-answering-peer");
    reader.setDaemon(true);
  }

  /** Connects to {@code node} from {@code from} and completes the handshake as the initiator, claiming {@code id}. */
  static AnsweringPeer connect(InetSocketAddress node, InetAddress from, PeerId id, String name) throws IOException {
    RawPeer raw = RawPeer.connect(node, from);
    byte[] hello = raw.readFrame();
    if (hello[0] != FrameType.HELLO.code()) {
      throw new IOException("expected the node's HELLO, got type " + hello[0]);
    }
    raw.sendFrame(FrameType.HELLO, RawPeer.hello(id, name, PeerNode.DEFAULT_GROUP));
    AnsweringPeer p = new AnsweringPeer(raw);
    p.reader.start();
    return p;
  }

  /** Accepts the node's connection on {@code server} and completes the handshake as the acceptor. */
  static AnsweringPeer accept(ServerSocket server, PeerId id, String name) throws IOException {
    RawPeer raw = RawPeer.accept(server);
    raw.sendFrame(FrameType.HELLO, RawPeer.hello(id, name, PeerNode.DEFAULT_GROUP));
    byte[] hello = raw.readFrame();
    if (hello[0] != FrameType.HELLO.code()) {
      throw new IOException("expected the node's HELLO, got type " + hello[0]);
    }
    AnsweringPeer p = new AnsweringPeer(raw);
    p.reader.start();
    return p;
  }

  /** Stops reading and answering, keeping the socket open: the node sees silence. */
  void freeze() {
    frozen = true;
  }

  /** Resets the connection (SO_LINGER 0). */
  void reset() throws IOException {
    raw.socket.setOption(StandardSocketOptions.SO_LINGER, 0);
    raw.close();
  }

  /** Whether the node closed or reset the connection (or this side was closed). */
  boolean ended() {
    return ended;
  }

  /** Sends a TEXT frame; false if the connection is gone. */
  boolean sendText(String text) {
    try {
      synchronized (raw) {
        raw.sendFrame(FrameType.TEXT, text.getBytes(StandardCharsets.UTF_8));
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The BYE code received, or -1. */
  int byeCode() {
    return byes.isEmpty() ? -1 : byes.get(0)[0] & 0xFF;
  }

  /** The BYE text received, or null. */
  String byeText() {
    return byes.isEmpty() ? null : new String(byes.get(0), 1, byes.get(0).length - 1, StandardCharsets.UTF_8);
  }

  private void readLoop() {
    try {
      while (true) {
        while (frozen) {
          LockSupport.parkNanos(5_000_000);
          if (raw.socket.isClosed()) {
            return;
          }
        }
        byte[] f = raw.readFrame();
        byte[] body = Arrays.copyOfRange(f, 1, f.length);
        if (f[0] == FrameType.PING.code() && !frozen) {
          synchronized (raw) {
            raw.sendFrame(FrameType.PONG, body);
          }
        } else if (f[0] == FrameType.TEXT.code()) {
          texts.add(new String(body, StandardCharsets.UTF_8));
        } else if (f[0] == FrameType.BYE.code()) {
          byes.add(body);
        }
      }
    } catch (IOException e) {
      // EOF, reset or socket timeout (10 s of silence): the connection is over for this peer.
    } finally {
      ended = true;
    }
  }

  @Override
  public void close() throws IOException {
    raw.close();
  }
}
