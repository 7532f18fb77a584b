package dev.vecino.bench.compare;

import dev.vecino.bench.AllocProbe;
import dev.vecino.bench.MessageCounter;
import dev.vecino.p2p.PeerNode;

/**
 * Bytes allocated per message by the threads of a Vecino one-way run, each read from
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}:
 *
 * <ul>
 *   <li>{@code sendThreadBytesPerMsg}: the thread that calls {@code trySend}, alone;
 *   <li>{@code senderIoBytesPerMsg}, {@code receiverIoBytesPerMsg} (direct callbacks only):
 *       the sender's and the receiver's I/O thread, found through the public API, as the thread
 *       that ran each node's {@code onConnected} (with direct callbacks and one I/O thread, the
 *       thread that owns the connection);
 *   <li>{@code sendBytesPerMsg}, {@code receiveBytesPerMsg}: the sending thread plus every
 *       thread of the sender's node, and every thread of the receiver's node (by their
 *       documented names {@code vecino-<role>-<id>}), as reported before.
 * </ul>
 *
 * <p>Beside them, CPU time per message of the same single threads ({@code sendThreadCpuNsPerMsg},
 * and with direct callbacks {@code senderIoCpuNsPerMsg} and {@code receiverIoCpuNsPerMsg}, from
 * {@code getThreadCpuTime}): on two cores the busiest of them bounds the rate, which the
 * process-wide {@code cpuNsPerMsg} does not show.
 *
 * <p><b>Thread safety:</b> none; the benchmark's main thread owns it.
 */
final class AllocSplit {

  private final AllocProbe sendThread;
  private final AllocProbe senderIo;
  private final AllocProbe receiverIo;
  private final AllocProbe sendPath;
  private final AllocProbe receivePath;

  /**
   * @param sending the thread that sends
   * @param sender the sending node
   * @param receiver the receiving node
   * @param senderEvents the sender's listener, after its {@code onConnected} ran
   * @param receiverEvents the receiver's listener, after its {@code onConnected} ran
   * @param direct whether both nodes run callbacks on their I/O threads
   */
  AllocSplit(Thread sending, PeerNode sender, PeerNode receiver, MessageCounter senderEvents,
      MessageCounter receiverEvents, boolean direct) {
    String sid = sender.identity().id().shortId();
    String rid = receiver.identity().id().shortId();
    Thread senderIoThread = senderEvents.callbackThread();
    Thread receiverIoThread = receiverEvents.callbackThread();
    sendThread = new AllocProbe(t -> t == sending);
    senderIo = direct ? new AllocProbe(t -> t == senderIoThread) : null;
    receiverIo = direct ? new AllocProbe(t -> t == receiverIoThread) : null;
    sendPath = new AllocProbe(t -> t == sending || AllocProbe.nodeThreads(sid, sid).test(t));
    receivePath = new AllocProbe(AllocProbe.nodeThreads(rid, rid));
  }

  /**
   * Reads every counter: the start of the measured window. Threads are picked for every probe
   * first and the sending thread's counter is read last (and first in {@link #put}): picking
   * and reading allocate on the calling thread, which in the idle case is the sending thread.
   */
  void begin() {
    AllocProbe[] all = {receivePath, sendPath, receiverIo, senderIo, sendThread};
    for (AllocProbe p : all) {
      if (p != null) {
        p.select();
      }
    }
    for (AllocProbe p : all) {
      if (p != null) {
        p.start();
      }
    }
  }

  /**
   * Adds bytes per message since {@link #begin()} to a result.
   *
   * @param r the result
   * @param messages messages received in the window
   * @return {@code r}
   */
  Result put(Result r, long messages) {
    r.put("sendThreadBytesPerMsg", perMsg(sendThread, messages));
    r.put("sendThreadCpuNsPerMsg", cpuPerMsg(sendThread, messages));
    if (senderIo != null) {
      r.put("senderIoBytesPerMsg", perMsg(senderIo, messages));
      r.put("receiverIoBytesPerMsg", perMsg(receiverIo, messages));
      r.put("senderIoCpuNsPerMsg", cpuPerMsg(senderIo, messages));
      r.put("receiverIoCpuNsPerMsg", cpuPerMsg(receiverIo, messages));
    }
    return r.put("sendBytesPerMsg", perMsg(sendPath, messages))
        .put("receiveBytesPerMsg", perMsg(receivePath, messages));
  }

  private static double cpuPerMsg(AllocProbe p, long messages) {
    long nanos = p.cpuNanosSinceBegin();
    return nanos < 0 || messages <= 0 ? Double.NaN : (double) nanos / messages;
  }

  private static double perMsg(AllocProbe p, long messages) {
    long bytes = p.allocatedSinceBegin();
    return bytes < 0 || messages <= 0 ? Double.NaN : (double) bytes / messages;
  }
}
