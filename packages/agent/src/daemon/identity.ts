/**
 * The agent's identity and enrollment state in its state directory: the Ed25519 private key
 * (agent.key, 0600, never leaves the device) and agent.json (server, pinned CA, ids). Written
 * atomically (temp file + rename) and only after the server accepted the enrollment.
 */
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { VigilError } from '@vigil/protocol/agent-runtime';

/** What agent.json holds. */
export interface AgentState {
  server_url: string;
  agent_id: string;
  account_id: string;
  ca_pem: string;
  ca_fingerprint: string;
  signing_public_key: string;
  heartbeat_s: number;
  poll_s: number;
  mode: 'live' | 'poll';
  enrolled_at: string;
}

/** The default state directory: /var/lib/vigil-agent as root, ~/.local/state/vigil-agent otherwise. */
export function defaultStateDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/vigil-agent' : join(homedir(), '.local/state/vigil-agent');
}

/** A new key pair (in memory until enrollment succeeds). */
export function newAgentKey(): { privateKey: KeyObject; publicKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: rawPublicKey(privateKey) };
}

/** Raw 32-byte Ed25519 public key, base64. */
export function rawPublicKey(key: KeyObject): string {
  return Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url').toString('base64');
}

/** The agent id the server derives from a public key (first 128 bits of SHA-256, hex). */
export function agentIdFor(publicKey: string): string {
  return createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex').slice(0, 32);
}

function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

/** Persist key and state together after a successful enrollment. */
export function saveIdentity(stateDir: string, privateKey: KeyObject, state: AgentState): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  writeAtomic(
    join(stateDir, 'agent.key'),
    privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    0o600,
  );
  writeAtomic(join(stateDir, 'agent.json'), `${JSON.stringify(state, null, 2)}\n`, 0o600);
}

/** Update agent.json (mode switches, intervals). */
export function saveState(stateDir: string, state: AgentState): void {
  writeAtomic(join(stateDir, 'agent.json'), `${JSON.stringify(state, null, 2)}\n`, 0o600);
}

/** Whether the state directory holds an enrolled identity. */
export function isEnrolled(stateDir: string): boolean {
  return existsSync(join(stateDir, 'agent.json')) && existsSync(join(stateDir, 'agent.key'));
}

/** Load key and state; a missing or corrupt file is a clear error naming it. */
export function loadIdentity(stateDir: string): { privateKey: KeyObject; state: AgentState } {
  if (!isEnrolled(stateDir))
    throw new VigilError('E_CONFIG', `no enrolled agent in ${stateDir}: run vigil agent enroll first`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(join(stateDir, 'agent.key'), 'utf8'));
  } catch (error) {
    throw new VigilError(
      'E_CONFIG',
      `the key file ${join(stateDir, 'agent.key')} is unreadable or corrupt: ${(error as Error).message}`,
    );
  }
  let state: AgentState;
  try {
    state = JSON.parse(readFileSync(join(stateDir, 'agent.json'), 'utf8')) as AgentState;
  } catch (error) {
    throw new VigilError(
      'E_CONFIG',
      `${join(stateDir, 'agent.json')} is unreadable or corrupt: ${(error as Error).message}`,
    );
  }
  if (agentIdFor(rawPublicKey(privateKey)) !== state.agent_id)
    throw new VigilError('E_CONFIG', `agent.key does not belong to agent ${state.agent_id}`);
  return { privateKey, state };
}
