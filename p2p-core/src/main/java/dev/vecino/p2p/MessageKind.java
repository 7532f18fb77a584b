package dev.vecino.p2p;

/** What a message means to the application. */
public enum MessageKind {
  /** UTF-8 text for people to read. */
  TEXT,
  /** Opaque bytes. */
  BINARY,
  /** A "call": text the receiver should show prominently (ring a bell, raise a window). */
  CALL
}
