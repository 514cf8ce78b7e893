/**
 * Which server to talk to, with which token and which CA: `VIGIL_SERVER`, `VIGIL_TOKEN` and
 * `VIGIL_CA_FINGERPRINT` override the settings stored by `vigil login`. A stored token and CA
 * are only ever used for the server they were stored for.
 */
import { VigilError } from '@vigil/protocol';
import { readSettings, type StoredSettings } from '../settings.js';
import { establishTrust } from './ca-trust.js';
import { certificateFingerprint, fingerprintsMatch } from './fingerprint.js';
import { normaliseServerUrl } from './server-url.js';

/** A resolved connection: where, as whom, trusting what. */
export interface Connection {
  server: string;
  token: string;
  /** The CA to verify the server against; null means the system trust store. */
  caPem: string | null;
}

function storedFor(server: string, stored: StoredSettings | null): StoredSettings | null {
  return stored && stored.server === server ? stored : null;
}

/** Resolve the connection from the environment and the settings in `dir`. */
export async function resolveConnection(env: NodeJS.ProcessEnv, dir: string): Promise<Connection> {
  const settings = readSettings(dir);
  const server = env.VIGIL_SERVER ? normaliseServerUrl(env.VIGIL_SERVER) : settings?.server;
  if (!server) {
    throw new VigilError(
      'E_CONFIG',
      'no server configured: run vigil login --server URL --ca-fingerprint SHA256:…, or set VIGIL_SERVER, VIGIL_TOKEN and VIGIL_CA_FINGERPRINT',
    );
  }
  const stored = storedFor(server, settings);
  const token = env.VIGIL_TOKEN || stored?.token;
  if (!token)
    throw new VigilError(
      'E_UNAUTHENTICATED',
      `no API token for ${server}: run vigil login --server ${server}, or set VIGIL_TOKEN`,
    );

  if (env.VIGIL_CA_FINGERPRINT) {
    const ca = await establishTrust(server, { pin: env.VIGIL_CA_FINGERPRINT });
    return { server, token, caPem: ca.pem };
  }
  if (stored) {
    if (!fingerprintsMatch(certificateFingerprint(stored.ca_pem), stored.ca_fingerprint)) {
      throw new VigilError(
        'E_CONFIG',
        `the stored CA certificate for ${server} does not match its stored fingerprint: run vigil login again`,
      );
    }
    return { server, token, caPem: stored.ca_pem };
  }
  return { server, token, caPem: null };
}
