package dev.vecino.examples.cli;

import dev.vecino.p2p.codec.Codec;

/**
 * The wire codecs the commands can speak, as {@code --codec} takes them ({@code chat},
 * {@code send}, {@code scan}).
 */
public enum CodecChoice {
  /** Length-prefixed frames with the HELLO handshake: the Vecino protocol. */
  framed,
  /** One UTF-8 text line per message, no handshake: talk to {@code nc} and scripts. */
  line,
  /** The original Python LAN chat's wire format. */
  classic;

  /**
   * Returns the library's codec of this name.
   *
   * @return the codec
   */
  public Codec codec() {
    return Codec.byName(name());
  }
}
