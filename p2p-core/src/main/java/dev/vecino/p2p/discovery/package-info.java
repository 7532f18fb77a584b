/**
 * The discovery service provider interface: where candidate peers come from. Everything is
 * non-null unless documented otherwise.
 */
package dev.vecino.p2p.discovery;
