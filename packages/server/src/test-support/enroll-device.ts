/**
 * Test helper: create devices the way a real agent does — through POST /agent/v1/enroll with a
 * fresh Ed25519 key and a signed proof — so tests never insert device rows directly.
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { AGENT_PATHS, enrollProofBytes, type HostFactsT } from '@vigil/protocol';
import type { TestServer } from './test-app.js';

/** What a test needs to describe the device it enrolls. */
export interface EnrollTestDeviceOptions {
  /** Enrollment token secret; a fresh single-account admin token is created when omitted. */
  token?: string;
  hostname: string;
  machineId: string;
  /** Tags for the token that is created when `token` is omitted. */
  tags?: string[];
  /** Extra facts (`facts.extra`), e.g. `{ role: 'db' }`. */
  facts?: Record<string, unknown>;
  /** Reuse a key (re-enrollment tests); a new one is generated when omitted. */
  privateKey?: KeyObject;
  /** Agent clock to claim, ms since epoch (clock-skew tests). */
  time?: number;
  /** Bearer token used to create the enrollment token when `token` is omitted. */
  adminToken?: string;
}

/** A device enrolled through the real endpoint. */
export interface EnrolledTestDevice {
  deviceId: string;
  accountId: string;
  privateKey: KeyObject;
  publicKey: string;
  created: boolean;
}

/** The raw answer of one enrollment attempt (for tests that expect refusals). */
export interface EnrollAttempt {
  status: number;
  body: any;
  privateKey: KeyObject;
  publicKey: string;
}

/** Base64 of the raw 32-byte Ed25519 public key, the form the enroll endpoint takes. */
export function rawPublicKey(privateKey: KeyObject): string {
  const jwk = privateKey.export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url').toString('base64');
}

/** Host facts for a test device. */
export function deviceFacts(
  hostname: string,
  machineId: string,
  extra: Record<string, unknown> = {},
): HostFactsT {
  return {
    hostname,
    machine_id: machineId,
    os: { platform: 'linux', name: 'Debian GNU/Linux', version: '12', kernel: '6.1.0', arch: 'x86_64' },
    agent_version: '0.1.0',
    extra,
  };
}

/** Create an enrollment token (admin) and return its secret. */
export async function createTestEnrollmentToken(
  server: TestServer,
  body: Record<string, unknown> = {},
  adminToken = server.adminToken,
): Promise<string> {
  const res = await server.call('POST', '/api/v1/enrollment-tokens', { token: adminToken, body });
  if (res.status !== 201)
    throw new Error(`creating an enrollment token failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

/** Send one enrollment request and return the raw answer (no assertion on its outcome). */
export async function attemptEnroll(
  server: TestServer,
  options: EnrollTestDeviceOptions & { token: string; proofOverride?: string },
): Promise<EnrollAttempt> {
  const privateKey = options.privateKey ?? generateKeyPairSync('ed25519').privateKey;
  const publicKey = rawPublicKey(privateKey);
  const time = options.time ?? Date.now();
  const proof =
    options.proofOverride ??
    sign(null, enrollProofBytes(options.token, publicKey, time), privateKey).toString('base64');
  const res = await server.call('POST', AGENT_PATHS.enroll, {
    body: {
      token: options.token,
      public_key: publicKey,
      facts: deviceFacts(options.hostname, options.machineId, options.facts ?? {}),
      time,
      proof,
    },
  });
  return { status: res.status, body: res.body, privateKey, publicKey };
}

/** Enroll a device through the real endpoint; throws unless the server accepts it. */
export async function enrollTestDevice(
  server: TestServer,
  options: EnrollTestDeviceOptions,
): Promise<EnrolledTestDevice> {
  const token =
    options.token ??
    (await createTestEnrollmentToken(server, options.tags ? { tags: options.tags } : {}, options.adminToken));
  const res = await attemptEnroll(server, { ...options, token });
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`enrolling ${options.hostname} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    deviceId: res.body.agent_id as string,
    accountId: res.body.account_id as string,
    privateKey: res.privateKey,
    publicKey: res.publicKey,
    created: res.body.created as boolean,
  };
}
