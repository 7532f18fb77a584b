package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.vecino.p2p.Identity;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.discovery.Backoff;
import dev.vecino.p2p.discovery.StaticDiscovery;
import dev.vecino.p2p.scan.NetworkScope;
import dev.vecino.p2p.transport.NioTransport;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link PeerNode#toBuilder()} copies every option. The table below sets each builder option
 * to a value other than its default; the tests prove that the table covers every option the
 * builder has (so a new option cannot be forgotten here), that together the options change
 * every component of the node's configuration, and that a node built from
 * {@code toBuilder()} has the very same configuration.
 */
@Timeout(30)
class ToBuilderTest {

  /** Every builder option, by signature, with a valid value other than its default. */
  private static Map<String, Consumer<PeerNodeBuilder>> everyOption() {
    Map<String, Consumer<PeerNodeBuilder>> options = new LinkedHashMap<>();
    // One key for the identity, the id and the key options: a secure node's id is its key's.
    dev.vecino.p2p.NodeKey key = dev.vecino.p2p.NodeKey.generate();
    options.put("identity(Identity)", b -> b.identity(Identity.of(key, "from-identity")));
    options.put("id(PeerId)", b -> b.id(key.id()));
    options.put("name(String)", b -> b.name("derived"));
    options.put("group(String)", b -> b.group("another-group"));
    options.put("bindAddress(String)", b -> b.bindAddress("127.0.0.2"));
    options.put("bindAddress(InetAddress)", b -> b.bindAddress(InetAddress.getLoopbackAddress()));
    options.put("port(int)", b -> b.port(45_678));
    options.put("listen(boolean)", b -> b.listen(false));
    options.put("backlog(int)", b -> b.backlog(7));
    options.put("ioThreads(int)", b -> b.ioThreads(3));
    options.put("busyPoll(Duration)", b -> b.busyPoll(Duration.ofNanos(50_000)));
    options.put("transport(TransportFactory)", b -> b.transport(config -> NioTransport.factory().create(config)));
    // Another codec that handshakes, so the node stays secure and takes a secret and an allowlist.
    options.put("codec(Codec)", b -> b.codec(new Codec() {
      @Override
      public String name() {
        return "framed-too";
      }

      @Override
      public boolean handshake() {
        return true;
      }

      @Override
      public dev.vecino.p2p.codec.CodecSession newSession(dev.vecino.p2p.codec.SessionInfo info) {
        return Codec.framed().newSession(info);
      }
    }));
    options.put("discovery(Discovery)",
        b -> b.discovery(StaticDiscovery.of(List.of(new InetSocketAddress("127.0.0.1", 9999)))));
    options.put("callbackExecutor(Executor)", b -> b.callbackExecutor(Runnable::run));
    options.put("directCallbacks(boolean)", b -> b.directCallbacks(true));
    options.put("listener(PeerListener)", b -> b.listener(new PeerListener() { }));
    options.put("onMessage(Consumer)", b -> b.onMessage(m -> { }));
    options.put("connectTimeout(Duration)", b -> b.connectTimeout(Duration.ofSeconds(7)));
    options.put("handshakeTimeout(Duration)", b -> b.handshakeTimeout(Duration.ofSeconds(8)));
    options.put("closeTimeout(Duration)", b -> b.closeTimeout(Duration.ofSeconds(3)));
    options.put("maxFrameSize(int)", b -> b.maxFrameSize(1 << 20));
    options.put("maxQueuedBytes(int)", b -> b.maxQueuedBytes(2 << 20));
    options.put("maxUndeliveredBytes(int)", b -> b.maxUndeliveredBytes(3 << 20));
    options.put("writeWatermarks(int,int)", b -> b.writeWatermarks(1000, 5000));
    options.put("sendTimeout(Duration)", b -> b.sendTimeout(Duration.ofSeconds(1)));
    options.put("heartbeatInterval(Duration)", b -> b.heartbeatInterval(Duration.ofSeconds(9)));
    options.put("idleTimeout(Duration)", b -> b.idleTimeout(Duration.ofMinutes(1)));
    options.put("writeStallTimeout(Duration)", b -> b.writeStallTimeout(Duration.ofSeconds(30)));
    options.put("maxConnections(int)", b -> b.maxConnections(100));
    options.put("maxConnectionsPerAddress(int)", b -> b.maxConnectionsPerAddress(10));
    options.put("reconnect(Backoff)", b -> b.reconnect(Backoff.exponential(Duration.ofMillis(10), Duration.ofSeconds(1))));
    options.put("maxPendingHandshakes(int,int)", b -> b.maxPendingHandshakes(50, 5));
    options.put("key(NodeKey)", b -> b.key(key));
    options.put("plaintext(boolean)", b -> b.plaintext(false));
    options.put("groupSecret(GroupSecret)", b -> b.groupSecret(dev.vecino.p2p.GroupSecret.generate()));
    options.put("allowKeys(String[])", b -> b.allowKeys(dev.vecino.p2p.NodeKey.generate().fingerprint()));
    options.put("allowAddresses(String)", b -> b.allowAddresses("127.0.0.0/8"));
    options.put("denyAddresses(String)", b -> b.denyAddresses("127.0.9.9"));
    dev.vecino.p2p.PairingHandler handler = request -> java.util.concurrent.CompletableFuture.completedFuture(false);
    options.put("pairing(PairingHandler,Duration)", b -> b.pairing(handler, Duration.ofSeconds(30)));
    options.put("jmx(boolean)", b -> b.jmx(true));
    options.put("networkScope(NetworkScope)", b -> b.networkScope(NetworkScope.parse("127.0.0.0/8")));
    options.put("peerStore(Path)", b -> b.peerStore(Path.of("target", "to-builder-peers")));
    options.put("beacons(boolean)", b -> b.beacons(true));
    return options;
  }

  private static PeerNodeBuilder withEveryOption() {
    PeerNodeBuilder b = PeerNode.builder();
    everyOption().values().forEach(set -> set.accept(b));
    return b;
  }

  private static NodeConfig config(PeerNode node) {
    return ((Node) node).config();
  }

  @Test
  void theTableCoversEveryBuilderOption() {
    TreeSet<String> options = Arrays.stream(PeerNodeBuilder.class.getDeclaredMethods())
        .filter(m -> Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()))
        .filter(m -> m.getReturnType() == PeerNodeBuilder.class)
        .map(ToBuilderTest::signature)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(options, new TreeSet<>(everyOption().keySet()),
        "a builder option is missing from this test's table (or the table names one that is gone)");
  }

  @Test
  void theOptionsTogetherChangeEveryPartOfTheConfiguration() throws Exception {
    NodeConfig defaults = config(PeerNode.builder().build());
    NodeConfig set = config(withEveryOption().build());
    List<String> unchanged = new ArrayList<>();
    for (RecordComponent c : NodeConfig.class.getRecordComponents()) {
      // byteStages is internal (ByteStage), not a builder option.
      if (!c.getName().equals("byteStages")
          && java.util.Objects.equals(c.getAccessor().invoke(defaults), c.getAccessor().invoke(set))) {
        unchanged.add(c.getName());
      }
    }
    assertEquals(List.of(), unchanged, "no option in the table changes these parts of the configuration");
  }

  @Test
  void aNodeBuiltFromToBuilderHasTheSameConfiguration() throws Exception {
    PeerNode node = withEveryOption().build();
    NodeConfig original = config(node);
    NodeConfig derived = config(node.toBuilder().build());
    for (RecordComponent c : NodeConfig.class.getRecordComponents()) {
      assertEquals(c.getAccessor().invoke(original), c.getAccessor().invoke(derived), c.getName());
    }
    assertEquals(original, derived);
  }

  @Test
  void defaultsStayDefaultsAndARandomIdentityIsKept() {
    PeerNode node = PeerNode.builder().build();
    NodeConfig derived = config(node.toBuilder().maxQueuedBytes(64 * 1024).build());
    assertEquals(node.identity(), derived.identity(), "the id chosen at random is the node's id");
    assertEquals(16 * 1024, derived.lowWatermark(), "default watermarks follow the queue bound");
    assertEquals(32 * 1024, derived.highWatermark());
    assertEquals(new InetSocketAddress(anyIpv4(), 0), derived.bindAddress(), "no bind address: all of them");
  }

  @Test
  void theBuilderIsAFreshCopyEachTimeInAnyState() {
    PeerNodeBuilder original = PeerNode.builder().name("ana").bindAddress("127.0.0.1");
    PeerNode node = original.build();
    original.name("changed after build");
    PeerNodeBuilder first = node.toBuilder();
    first.name("bob").listener(new PeerListener() { });
    assertEquals("ana", config(node.toBuilder().build()).identity().name());
    assertEquals(List.of(), config(node.toBuilder().build()).listeners());
    assertNotEquals(config(first.build()).identity().name(), node.identity().name());
    node.start();
    node.close();
    assertEquals("ana", config(node.toBuilder().build()).identity().name(), "after close too");
  }

  private static InetAddress anyIpv4() {
    try {
      return InetAddress.getByAddress(new byte[4]);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static String signature(Method m) {
    return m.getName() + "(" + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName)
        .collect(Collectors.joining(",")) + ")";
  }
}
