package dev.vecino.p2p.internal;

import dev.vecino.p2p.SendStatus;

/**
 * What {@link Outbound#offer} did, in one value (no allocation per send): a
 * {@link SendStatus}, the next {@link WriteTurn.Step}, and whether the queue just passed the
 * high watermark.
 */
enum Offered {
  FULL(SendStatus.QUEUE_FULL, WriteTurn.Step.NONE, false),
  CLOSED(SendStatus.CLOSED, WriteTurn.Step.NONE, false),
  QUEUED(SendStatus.OK, WriteTurn.Step.NONE, false),
  QUEUED_SCHEDULE(SendStatus.OK, WriteTurn.Step.SCHEDULE_FLUSH, false),
  QUEUED_WRITE(SendStatus.OK, WriteTurn.Step.WRITE_INLINE, false),
  QUEUED_CORK(SendStatus.OK, WriteTurn.Step.SET_CORK_TIMER, false),
  QUEUED_UNWRITABLE(SendStatus.OK, WriteTurn.Step.NONE, true),
  QUEUED_SCHEDULE_UNWRITABLE(SendStatus.OK, WriteTurn.Step.SCHEDULE_FLUSH, true),
  QUEUED_WRITE_UNWRITABLE(SendStatus.OK, WriteTurn.Step.WRITE_INLINE, true),
  QUEUED_CORK_UNWRITABLE(SendStatus.OK, WriteTurn.Step.SET_CORK_TIMER, true);

  final SendStatus status;
  final WriteTurn.Step step;
  final boolean becameUnwritable;

  Offered(SendStatus status, WriteTurn.Step step, boolean becameUnwritable) {
    this.status = status;
    this.step = step;
    this.becameUnwritable = becameUnwritable;
  }

  static Offered queued(WriteTurn.Step step, boolean becameUnwritable) {
    return switch (step) {
      case SCHEDULE_FLUSH -> becameUnwritable ? QUEUED_SCHEDULE_UNWRITABLE : QUEUED_SCHEDULE;
      case WRITE_INLINE -> becameUnwritable ? QUEUED_WRITE_UNWRITABLE : QUEUED_WRITE;
      case SET_CORK_TIMER -> becameUnwritable ? QUEUED_CORK_UNWRITABLE : QUEUED_CORK;
      default -> becameUnwritable ? QUEUED_UNWRITABLE : QUEUED;
    };
  }
}
