/** A user's application as a named module: needs nothing but {@code requires dev.vecino.p2p}. */
module demo.modular {
  requires dev.vecino.p2p;
}
