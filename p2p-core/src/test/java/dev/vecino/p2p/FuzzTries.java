package dev.vecino.p2p;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Sets the tries of a fuzz property from the {@code vecino.fuzz.tries} system property
 * (default {@value #DEFAULT_TRIES}; the {@code fuzz} Maven profile sets 1,000,000). Only the
 * properties that add this hook change: the rest of the build keeps its own counts.
 *
 * <p>Use: {@code @AddLifecycleHook(FuzzTries.class)} on a fuzz property, or on its class with
 * {@code propagateTo = PropagationMode.ALL_DESCENDANTS}.
 */
public final class FuzzTries implements AroundPropertyHook {

  /** Tries in the normal build. */
  public static final int DEFAULT_TRIES = 10_000;

  /** Returns the configured number of tries. */
  public static int tries() {
    return Integer.getInteger("vecino.fuzz.tries", DEFAULT_TRIES);
  }

  @Override
  public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
    context.attributes().setTries(tries());
    return property.execute();
  }
}
