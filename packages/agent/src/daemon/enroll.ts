/**
 * `vigil agent enroll`: pin the server's CA by its fingerprint, create a key pair, prove
 * possession to the server with the token, and write the identity only after it accepted.
 */
import { createHash, sign, timingSafeEqual, X509Certificate } from 'node:crypto';
import {
  AGENT_PATHS,
  type EnrollResponseT,
  enrollProofBytes,
  isErrorCode,
  VigilError,
} from '@vigil/protocol';
import { Agent, request } from 'undici';
import { agentNow, hostFacts } from './facts.js';
import { type AgentState, agentIdFor, isEnrolled, newAgentKey, saveIdentity } from './identity.js';

/** SHA-256 fingerprint of a PEM certificate, `SHA256:<hex>`. */
export function fingerprintOf(pem: string): string {
  return `SHA256:${createHash('sha256').update(new X509Certificate(pem).raw).digest('hex')}`;
}

function normalise(fp: string): string {
  return `SHA256:${fp
    .trim()
    .replace(/^sha256:/i, '')
    .replaceAll(':', '')
    .toLowerCase()}`;
}

/** Fetch the CA once without verification and keep it only if its fingerprint matches the pin. */
export async function fetchPinnedCa(serverUrl: string, pin: string): Promise<string> {
  const insecure = new Agent({ connect: { rejectUnauthorized: false } });
  let pem: string;
  try {
    const res = await request(new URL('/api/v1/ca.pem', serverUrl), { dispatcher: insecure });
    pem = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
  } catch (error) {
    throw new VigilError(
      'E_UNREACHABLE',
      `cannot fetch the CA certificate from ${serverUrl}: ${(error as Error).message}`,
    );
  } finally {
    await insecure.close();
  }
  let actual: string;
  try {
    actual = fingerprintOf(pem);
  } catch {
    throw new VigilError('E_CA_MISMATCH', `${serverUrl} did not serve a certificate at /api/v1/ca.pem`);
  }
  const a = Buffer.from(actual);
  const b = Buffer.from(normalise(pin));
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new VigilError(
      'E_CA_MISMATCH',
      `the server's CA fingerprint is ${actual}, not the ${normalise(pin)} you were given: refusing to trust it`,
    );
  }
  return pem;
}

/** Enroll this host; returns the saved state. Nothing is written unless the server accepted. */
export async function enroll(options: {
  server: string;
  token: string;
  caFingerprint: string;
  stateDir: string;
  extraFacts?: Record<string, unknown>;
}): Promise<AgentState & { created: boolean }> {
  if (isEnrolled(options.stateDir))
    throw new VigilError(
      'E_CONFLICT',
      `${options.stateDir} already holds an enrolled agent; use another --state or remove it`,
    );
  const caPem = await fetchPinnedCa(options.server, options.caFingerprint);
  const { privateKey, publicKey } = newAgentKey();
  const time = agentNow();
  const proof = sign(null, enrollProofBytes(options.token, publicKey, time), privateKey).toString('base64');
  const dispatcher = new Agent({ connect: { ca: caPem } });
  let status: number;
  let body: unknown;
  try {
    const res = await request(new URL(AGENT_PATHS.enroll, options.server), {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: options.token,
        public_key: publicKey,
        facts: hostFacts(options.extraFacts),
        time,
        proof,
      }),
    });
    status = res.statusCode;
    body = await res.body.json();
  } catch (error) {
    throw new VigilError(
      'E_UNREACHABLE',
      `enrollment request to ${options.server} failed: ${(error as Error).message}`,
    );
  } finally {
    await dispatcher.close();
  }
  if (status !== 200 && status !== 201) {
    const e = (body as { error?: { code?: string; message?: string } }).error;
    throw new VigilError(
      isErrorCode(e?.code) ? e.code : 'E_INTERNAL',
      e?.message ?? `enrollment failed with HTTP ${status}`,
    );
  }
  const r = body as EnrollResponseT;
  if (r.agent_id !== agentIdFor(publicKey))
    throw new VigilError(
      'E_SIGNATURE_INVALID',
      'the server returned an agent id that does not belong to this key',
    );
  const state: AgentState = {
    server_url: options.server,
    agent_id: r.agent_id,
    account_id: r.account_id,
    ca_pem: caPem,
    ca_fingerprint: fingerprintOf(caPem),
    signing_public_key: r.signing_public_key,
    heartbeat_s: r.heartbeat_s,
    poll_s: r.poll_s,
    mode: 'live',
    enrolled_at: new Date().toISOString(),
  };
  saveIdentity(options.stateDir, privateKey, state);
  return { ...state, created: r.created };
}
