package dev.vecino.p2p.testkit.compat;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A node in a child JVM, run against any p2p-core version: it uses only API that the oldest
 * checked-in version (see {@code compat/README.md}) has too. Arguments: bind host, name, id
 * (32 hex digits). Prints {@code READY <port>}, then one line per event ({@code CONNECTED},
 * {@code MSG <text>}, {@code DISCONNECTED}); reads commands from stdin ({@code CONNECT host port},
 * {@code SEND text} to every peer) and exits when stdin closes.
 */
public final class CompatNodeMain {
  private CompatNodeMain() {}

  public static void main(String[] args) throws Exception {
    PeerListener events = new PeerListener() {
      @Override
      public void onConnected(Peer peer) {
        say("CONNECTED " + peer.id() + " " + peer.remoteAddress());
      }

      @Override
      public void onMessage(Message message) {
        say("MSG " + message.text());
      }

      @Override
      public void onDisconnected(Peer peer, DisconnectReason reason) {
        say("DISCONNECTED " + peer.id() + " " + reason);
      }
    };
    PeerNode node = PeerNode.builder().bindAddress(args[0]).port(0).name(args[1]).id(PeerId.parse(args[2]))
        .handshakeTimeout(Duration.ofSeconds(5)).listener(events).build().start();
    say("READY " + node.localAddress().getPort());
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.startsWith("CONNECT ")) {
        String[] a = line.split(" ");
        try {
          Peer p = node.connect(a[1], Integer.parseInt(a[2])).get(10, TimeUnit.SECONDS);
          say("CONNECT-OK " + p.id());
        } catch (Exception e) {
          say("CONNECT-FAILED " + e);
        }
      } else if (line.startsWith("SEND ")) {
        node.broadcast(line.substring(5));
      }
    }
    node.close();
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
