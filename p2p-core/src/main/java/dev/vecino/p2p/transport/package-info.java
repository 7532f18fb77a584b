/**
 * The transport service provider interface: event loops, channels and listeners, and the
 * default {@link dev.vecino.p2p.transport.NioTransport}. Everything is non-null unless
 * documented otherwise.
 */
package dev.vecino.p2p.transport;
