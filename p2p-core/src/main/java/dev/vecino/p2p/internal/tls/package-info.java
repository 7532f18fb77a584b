/**
 * Key material and crypto building blocks for TLS and admission: owner-only secret files, the
 * self-signed certificate, the node's {@code SSLContext}, the group proof and the pairing code.
 * Not exported; nothing here is API. Depends on the JDK and the API package only, never on
 * {@code internal}, so {@code internal} may use it without a cycle.
 */
package dev.vecino.p2p.internal.tls;
