/** The TLS channel binding both ends compute for the live handshake (RFC 5705/8446 exporter). */
import type { TLSSocket } from 'node:tls';

/** Exporter label of the live-handshake binding. */
export const CHANNEL_BINDING_LABEL = 'EXPORTER-vigil-agent-auth-v1';

/**
 * 32 bytes of keying material exported from this TLS session, hex. Identical on client and
 * server only when they share one TLS session, so a signature over it cannot be relayed.
 */
export function channelBinding(socket: TLSSocket): string {
  return socket.exportKeyingMaterial(32, CHANNEL_BINDING_LABEL, Buffer.alloc(0)).toString('hex');
}
