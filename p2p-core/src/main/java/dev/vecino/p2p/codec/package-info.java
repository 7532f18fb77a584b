/**
 * The codec service provider interface: how frames become bytes, and the default
 * {@link dev.vecino.p2p.codec.FramedCodec}. Everything is non-null unless documented otherwise.
 */
package dev.vecino.p2p.codec;
