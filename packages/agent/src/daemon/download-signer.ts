/**
 * Signs the agent's downloads from its server's software library: the same proof as a signed
 * poll (agent id, time, nonce, the server certificate's fingerprint), bound to the file's SHA-256
 * instead of a body, so the server can serve a package without any bearer secret.
 */
import { type KeyObject, randomBytes, sign } from 'node:crypto';
import { downloadProofBytes, POLL_HEADERS } from '@vigil/protocol/agent-runtime';
import type { ServerDownloads } from '../actions/linux/verified-download.js';
import { agentNow } from './facts.js';
import type { AgentState } from './identity.js';
import { leafFingerprint } from './leaf-fingerprint.js';

/** The agent's server for software.deploy: resolves library paths, signs each download. */
export function serverDownloads(state: AgentState, key: KeyObject): ServerDownloads {
  return {
    serverUrl: state.server_url,
    async sign(sha256: string): Promise<Record<string, string>> {
      // Probed per download, not cached: downloads are rare and the server may have renewed its certificate.
      const fingerprint = await leafFingerprint(state);
      const time = agentNow();
      const nonce = randomBytes(16).toString('hex');
      const signature = sign(
        null,
        downloadProofBytes(state.agent_id, time, nonce, sha256, fingerprint),
        key,
      ).toString('base64');
      return {
        [POLL_HEADERS.agent]: state.agent_id,
        [POLL_HEADERS.time]: String(time),
        [POLL_HEADERS.nonce]: nonce,
        [POLL_HEADERS.signature]: signature,
      };
    },
  };
}
