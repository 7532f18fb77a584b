/** A modular application that scans loopback: run with and without jdk.management. */
module demo.scanning {
  requires dev.vecino.p2p;
}
