package dev.vecino.examples.chat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An output stream that hands each complete UTF-8 line to a consumer, without its terminator
 * ({@code \n} or {@code \r\n}). On a terminal, the chat puts one in place of {@code System.err}
 * so log lines (slf4j-simple writes to {@code System.err}) and stack traces are printed above
 * the prompt, which JLine then redraws, instead of over it.
 *
 * <p>Bytes are decoded only at a line's end, so a character split across writes stays whole.
 * A last line without a terminator is handed over by {@link #close()}.
 *
 * <p><b>Thread safety:</b> every method is synchronized, so lines written by different threads
 * are never mixed within a line (a {@code PrintStream} on top writes each {@code println} under
 * its own lock too); the consumer is called while the lock is held.
 */
final class LineRelay extends OutputStream {

  private final Consumer<String> lines;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream(256);

  /**
   * Creates a relay.
   *
   * @param lines receives each line
   */
  LineRelay(Consumer<String> lines) {
    this.lines = Objects.requireNonNull(lines, "lines");
  }

  @Override
  public synchronized void write(int b) {
    if (b == '\n') {
      emit();
    } else {
      pending.write(b);
    }
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    int start = off;
    for (int i = off; i < off + len; i++) {
      if (b[i] == '\n') {
        pending.write(b, start, i - start);
        emit();
        start = i + 1;
      }
    }
    pending.write(b, start, off + len - start);
  }

  @Override
  public synchronized void close() {
    if (pending.size() > 0) {
      emit();
    }
  }

  private void emit() {
    String line = pending.toString(StandardCharsets.UTF_8);
    pending.reset();
    lines.accept(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
  }
}
