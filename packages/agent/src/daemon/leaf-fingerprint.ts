/** The server's leaf certificate as the signed poll and download proofs name it. */
import { createHash, X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import type { AgentState } from './identity.js';

/** The SHA-256 fingerprint of the server's leaf certificate, read once over a TLS probe. */
export function leafFingerprint(state: AgentState): Promise<string> {
  const url = new URL(state.server_url);
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: url.hostname, port: Number(url.port || 443), ca: state.ca_pem, servername: url.hostname },
      () => {
        const raw = socket.getPeerCertificate().raw;
        socket.end();
        resolve(`SHA256:${createHash('sha256').update(new X509Certificate(raw).raw).digest('hex')}`);
      },
    );
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('TLS probe timed out')));
  });
}
