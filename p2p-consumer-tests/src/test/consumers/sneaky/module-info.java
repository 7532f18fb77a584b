/** A module that reaches for Vecino's internals: it must not compile. */
module demo.sneaky {
  requires dev.vecino.p2p;
}
