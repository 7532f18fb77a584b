package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** {@link OutboundBuffers}: which buffer a stage's claim leaves in {@code pending}. */
class OutboundBuffersTest {

  /** Buffers without a segment (no headroom), capped at 1 MiB. */
  private final OutboundBuffers buffers = new OutboundBuffers(0, 1 << 20);

  /** Queues {@code n} bytes through {@code pendingFor}, then lets a writer take and drain them. */
  private void queueAndWrite(int n) {
    ByteBuffer p = buffers.pendingFor(n);
    p.position(p.position() + n);
    buffers.swap();
    buffers.writing().position(buffers.writing().limit());
  }

  private static ByteBuffer stageWith(int capacity, int bytes) {
    ByteBuffer stage = ByteBuffer.allocateDirect(capacity);
    for (int i = 0; i < bytes; i++) {
      stage.put((byte) i);
    }
    return stage;
  }

  @Test
  void anEmptyQueueTakesTheOwnersStageBufferWithoutACopy() {
    queueAndWrite(100); // pending: null after the first swap, then 8 KiB
    queueAndWrite(100); // the drained 8 KiB buffer is pending again, empty
    ByteBuffer stage = stageWith(16 * 1024, 300);
    ByteBuffer next = buffers.takeStage(stage, 0, 300, true, 16 * 1024);
    assertSame(stage, buffers.pendingFor(0), "the stage's buffer is the queue's now");
    assertEquals(300, buffers.pendingBytes());
    assertEquals(16 * 1024, next.capacity(), "the stage continues on a buffer of its size");
  }

  @Test
  void aStageSmallerThanTheGrownQueueIsCopiedNotSwappedIn() {
    // The peer read slowly: pending grew to 64 KiB, then a writer took and drained it.
    queueAndWrite(40_000);
    queueAndWrite(100);
    ByteBuffer grown = buffers.pendingFor(0);
    assertEquals(64 * 1024, grown.capacity());
    assertEquals(0, buffers.pendingBytes());
    ByteBuffer stage = stageWith(16 * 1024, 300);
    ByteBuffer next = buffers.takeStage(stage, 0, 300, true, 16 * 1024);
    assertSame(grown, buffers.pendingFor(0), "the grown buffer stays: a small one would grow again");
    assertSame(stage, next, "the stage keeps its buffer");
    assertEquals(300, buffers.pendingBytes());
    assertEquals((byte) 299, grown.get(299), "the staged bytes were copied in order");
  }
}
