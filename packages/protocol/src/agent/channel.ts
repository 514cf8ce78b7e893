/**
 * The agent channel's constants and the exact bytes each side signs: paths, headers, close codes,
 * size limits, outbox kinds, proof formats and the schedule digest. No schema library here: a
 * running agent imports these through `@vigil/protocol/agent-runtime` without loading TypeBox
 * (docs/adr/0006-agent-validators-generated-at-build-time.md).
 */
import { createHash } from 'node:crypto';
import type { ScheduleSetBodyT } from './messages.js';

/** What the agent signs to prove it holds the key it enrolls. */
export function enrollProofBytes(token: string, publicKey: string, time: number): Buffer {
  return Buffer.from(`vigil-enroll-v1\n${token}\n${publicKey}\n${time}`, 'utf8');
}

/** What the agent signs to authenticate a live connection (bound to the TLS session). */
export function authProofBytes(nonce: string, agentId: string, channelBinding: string): Buffer {
  return Buffer.from(`vigil-auth-v1\n${nonce}\n${agentId}\n${channelBinding}`, 'utf8');
}

/** What the agent signs for one poll request (bound to the pinned server certificate). */
export function pollProofBytes(
  agentId: string,
  time: number,
  nonce: string,
  bodySha256: string,
  certFingerprint: string,
): Buffer {
  return Buffer.from(
    `vigil-poll-v1\n${agentId}\n${time}\n${nonce}\n${bodySha256}\n${certFingerprint}`,
    'utf8',
  );
}

/** Headers a poll request carries instead of a bearer token. */
export const POLL_HEADERS = {
  agent: 'x-vigil-agent',
  time: 'x-vigil-time',
  nonce: 'x-vigil-nonce',
  signature: 'x-vigil-signature',
} as const;

/** Outbox kinds the agent sends (the server routes each to its ingester). */
export const OUTBOX_KINDS = [
  'command.result',
  'security.event',
  'query.result',
  'action.result',
  'metrics.sample',
  'alert.event',
  'test.event',
] as const;

/** WebSocket close codes of the agent channel. */
export const CLOSE_CODES = {
  normal: 1000,
  goingAway: 1001,
  tooBig: 1009,
  protocolError: 4400,
  authFailed: 4401,
  revoked: 4403,
  authTimeout: 4408,
  conflict: 4409,
  replaced: 4410,
  modeChange: 4420,
} as const;

/** Paths of the agent channel. */
export const AGENT_PATHS = {
  ws: '/agent/v1/ws',
  poll: '/agent/v1/poll',
  enroll: '/agent/v1/enroll',
} as const;

/** Largest message either side accepts on the live channel (bigger → close 1009). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * The digest of a query schedule (a `schedule.set` body's `queries` in the order and form sent):
 * the agent reports it for the schedule it holds, the server compares it with the one it would send.
 */
export function scheduleDigest(queries: ScheduleSetBodyT['queries']): string {
  return createHash('sha256').update(JSON.stringify(queries)).digest('hex').slice(0, 32);
}
