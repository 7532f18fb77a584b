package dev.vecino.examples.cli;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Picocli converters for the option types the commands share. */
public final class Converters {

  private Converters() {}

  /** Converts {@code host:port}; a bad value is a usage error (exit 2). */
  public static final class HostPortConverter implements ITypeConverter<HostPort> {
    /** Creates the converter; picocli instantiates it. */
    public HostPortConverter() {}

    @Override
    public HostPort convert(String value) {
      try {
        return HostPort.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** Converts {@code 500ms}, {@code 2s}; a bad value is a usage error (exit 2). */
  public static final class DurationConverter implements ITypeConverter<Duration> {
    /** Creates the converter; picocli instantiates it. */
    public DurationConverter() {}

    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
