/** Implementation. Not exported; nothing here is API, and it changes without notice. */
package dev.vecino.p2p.internal;
