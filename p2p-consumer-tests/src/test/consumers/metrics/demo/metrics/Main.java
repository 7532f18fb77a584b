package demo.metrics;

import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeMXBean;
import dev.vecino.p2p.micrometer.PeerNodeMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.concurrent.locks.LockSupport;
import javax.management.JMX;
import javax.management.ObjectName;

/** One node with its MXBean on and its meters bound sends a message; then it prints what both saw. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (PeerNode bob = PeerNode.builder().name("bob").bindAddress("127.0.0.1").build().start();
         PeerNode ana = PeerNode.builder().name("ana").bindAddress("127.0.0.1").jmx(true).build().start()) {
      new PeerNodeMetrics(ana).bindTo(registry);
      Peer peer = ana.connect(bob.localAddress()).join();
      ana.send(peer, "hola").join();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (registry.get("vecino.messages.out").functionCounter().count() < 1 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(10_000_000L);
      }
      System.out.println("vecino.messages.out: " + registry.get("vecino.messages.out").functionCounter().count());
      ObjectName name = new ObjectName("dev.vecino:type=PeerNode,name=ana,id=" + ana.identity().id().shortId());
      PeerNodeMXBean bean = JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(), name,
          PeerNodeMXBean.class);
      System.out.println("MXBean connections: " + bean.getConnections() + ", messages out: " + bean.getMessagesOut());
    }
    System.out.println("metrics module: " + PeerNodeMetrics.class.getModule().getName());
  }
}
