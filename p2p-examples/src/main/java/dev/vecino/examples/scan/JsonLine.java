package dev.vecino.examples.scan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds one JSON object on one line ({@code scan --json}): string, number and boolean values
 * only, keys in insertion order, strings escaped per RFC 8259.
 *
 * <p><b>Thread safety:</b> not thread-safe; build on one thread.
 */
public final class JsonLine {

  private final Map<String, Object> fields = new LinkedHashMap<>();

  private JsonLine(String type) {
    fields.put("type", type);
  }

  /**
   * Starts an object with its {@code "type"}.
   *
   * @param type e.g. {@code "peer"}, {@code "summary"}
   * @return the builder
   */
  public static JsonLine of(String type) {
    return new JsonLine(type);
  }

  /**
   * Adds a string field (null becomes JSON null).
   *
   * @param key the key
   * @param value the value
   * @return this builder
   */
  public JsonLine put(String key, String value) {
    fields.put(key, value);
    return this;
  }

  /**
   * Adds a number field.
   *
   * @param key the key
   * @param value the value
   * @return this builder
   */
  public JsonLine put(String key, long value) {
    fields.put(key, value);
    return this;
  }

  /**
   * Adds a boolean field.
   *
   * @param key the key
   * @param value the value
   * @return this builder
   */
  public JsonLine put(String key, boolean value) {
    fields.put(key, value);
    return this;
  }

  /** Returns the object as one line of JSON. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, Object> e : fields.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      quote(sb, e.getKey());
      sb.append(':');
      Object v = e.getValue();
      if (v == null) {
        sb.append("null");
      } else if (v instanceof String s) {
        quote(sb, s);
      } else {
        sb.append(v);
      }
    }
    return sb.append('}').toString();
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
