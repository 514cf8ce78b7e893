/**
 * Test helper: a protocol-level agent (real keys, real TLS, real WebSocket) for exercising the
 * hub without the agent runtime. It enrolls, authenticates and exchanges raw messages.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import {
  AGENT_PATHS,
  authProofBytes,
  channelBinding,
  enrollProofBytes,
  type HeldSetsT,
  type HostFactsT,
  POLL_HEADERS,
  pollProofBytes,
} from '@vigil/protocol';
import { request } from 'undici';
import WebSocket from 'ws';
import { certificateFingerprint } from '../pki/fingerprint.js';
import type { TestServer } from './test-app.js';

/** A raw agent identity. */
export interface RawAgent {
  id: string;
  accountId: string;
  privateKey: KeyObject;
  publicKey: string;
  facts: HostFactsT;
}

/** Facts for a fake host. */
export function testFacts(
  hostname: string,
  machineId = `m-${hostname}`,
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

/** Create an enrollment token as admin. */
export async function createEnrollmentToken(
  s: TestServer,
  body: Record<string, unknown> = {},
): Promise<string> {
  const res = await s.call('POST', '/api/v1/enrollment-tokens', { token: s.adminToken, body });
  if (res.status !== 201) throw new Error(`token creation failed: ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}

/** Enroll a raw agent through the real endpoint. */
export async function enrollRawAgent(
  s: TestServer,
  token: string,
  facts: HostFactsT,
  key?: KeyObject,
): Promise<RawAgent & { status: number; body: any }> {
  const privateKey = key ?? generateKeyPairSync('ed25519').privateKey;
  const jwk = (privateKey as KeyObject).export({ format: 'jwk' });
  const publicKey = Buffer.from(jwk.x as string, 'base64url').toString('base64');
  const time = Date.now();
  const proof = sign(null, enrollProofBytes(token, publicKey, time), privateKey).toString('base64');
  const res = await s.call('POST', AGENT_PATHS.enroll, {
    body: { token, public_key: publicKey, facts, time, proof },
  });
  return {
    id: res.body?.agent_id,
    accountId: res.body?.account_id,
    privateKey,
    publicKey,
    facts,
    status: res.status,
    body: res.body,
  };
}

/** A live WebSocket session of a raw agent, with a message inbox. */
export interface RawSession {
  ws: WebSocket;
  inbox: any[];
  closed: Promise<{ code: number; reason: string }>;
  next(pred: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  /** The next `command` message whose signed payload has this kind. */
  nextCommand(kind: string, timeoutMs?: number): Promise<any>;
  send(m: object): void;
}

/** The kind inside a command message's signed payload (decoded without verifying). */
export function commandKind(m: any): string | undefined {
  if (m?.t !== 'command') return undefined;
  try {
    return JSON.parse(Buffer.from(m.env.payload, 'base64').toString('utf8')).kind;
  } catch {
    return undefined;
  }
}

/** Connect and authenticate (unless `authenticate` is false). */
export async function connectRawAgent(
  s: TestServer,
  agent: RawAgent,
  opts: {
    authenticate?: boolean;
    signWith?: KeyObject;
    machineId?: string;
    held?: HeldSetsT;
    /** What the agent says it reads (`deflate`: deflated check sets). */
    accepts?: Array<'deflate'>;
  } = {},
): Promise<RawSession> {
  const ws = new WebSocket(`${s.url.replace('https', 'wss')}${AGENT_PATHS.ws}`, {
    ca: s.vigil.services.keys.ca.certPem,
  });
  const inbox: any[] = [];
  const waiters: Array<{ pred: (m: any) => boolean; resolve: (m: any) => void }> = [];
  let tls: TLSSocket | undefined;
  ws.on('upgrade', (res) => {
    tls = res.socket as TLSSocket;
  });
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    inbox.push(m);
    for (const w of [...waiters])
      if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const next = (pred: (m: any) => boolean, timeoutMs = 5000) =>
    new Promise<any>((resolve, reject) => {
      const found = inbox.find(pred);
      if (found) return resolve(found);
      const t = setTimeout(() => reject(new Error('timed out waiting for a message')), timeoutMs);
      waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(t);
          resolve(m);
        },
      });
    });
  const session: RawSession = {
    ws,
    inbox,
    closed,
    next,
    nextCommand: (kind, t) => next((m) => commandKind(m) === kind, t),
    send: (m) => ws.send(JSON.stringify(m)),
  };
  const challenge = await next((m) => m.t === 'auth.challenge');
  if (opts.authenticate === false) return session;
  const binding = channelBinding(tls as TLSSocket);
  const sig = sign(
    null,
    authProofBytes(challenge.nonce, agent.id, binding),
    opts.signWith ?? agent.privateKey,
  ).toString('base64');
  session.send({
    t: 'auth.response',
    agent_id: agent.id,
    sig,
    facts: { ...agent.facts, machine_id: opts.machineId ?? agent.facts.machine_id },
    status: {
      mode: 'live',
      version: '0.1.0',
      outbox_depth: 0,
      outbox_evicted: 0,
      ...(opts.held ? { held: opts.held } : {}),
      ...(opts.accepts ? { accepts: opts.accepts } : {}),
    },
  });
  return session;
}

/** One signed poll request. */
export async function rawPoll(
  s: TestServer,
  agent: RawAgent,
  body: object,
  opts: { nonce?: string; time?: number; signWith?: KeyObject } = {},
) {
  const raw = Buffer.from(JSON.stringify(body));
  const time = opts.time ?? Date.now();
  const nonce = opts.nonce ?? randomBytes(16).toString('hex');
  const fp = certificateFingerprint(s.vigil.services.keys.tls.certPem);
  const sig = sign(
    null,
    pollProofBytes(agent.id, time, nonce, createHash('sha256').update(raw).digest('hex'), fp),
    opts.signWith ?? agent.privateKey,
  ).toString('base64');
  const res = await request(`${s.url}${AGENT_PATHS.poll}`, {
    method: 'POST',
    dispatcher: s.dispatcher,
    headers: {
      'content-type': 'application/json',
      [POLL_HEADERS.agent]: agent.id,
      [POLL_HEADERS.time]: String(time),
      [POLL_HEADERS.nonce]: nonce,
      [POLL_HEADERS.signature]: sig,
    },
    body: raw,
  });
  return { status: res.statusCode, body: (await res.body.json()) as any };
}
