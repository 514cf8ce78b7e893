/**
 * One simulated agent speaking the real protocol: its own Ed25519 key, real enrollment, the real
 * TLS-bound handshake, signature verification of every command, and answers with realistic rows.
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import {
  AGENT_PATHS,
  authProofBytes,
  channelBinding,
  enrollProofBytes,
  type HostFactsT,
  verifyCommand,
} from '@vigil/protocol';
import WebSocket from 'ws';

/** Counters a fleet aggregates. */
export interface SimStats {
  commands: number;
  verified: number;
  refused: number;
  answered: number;
}

/** How simulated agents answer. */
export interface SimBehaviour {
  /** Rows in a query answer. */
  rows: number;
  /** Bytes per row (approximately). */
  rowBytes: number;
  /** Delay before answering a query, ms. */
  queryDelayMs: number;
}

let msgCounter = 0;
function msgId(prefix: string): string {
  msgCounter += 1;
  return `${prefix}-${process.pid}-${msgCounter.toString(36).padStart(8, '0')}`;
}

/** One agent of the simulated fleet. */
export class SimAgent {
  readonly key: KeyObject;
  readonly publicKey: string;
  id = '';
  accountId = '';
  ws: WebSocket | undefined;
  online = false;
  private readonly seen = new Set<string>();

  constructor(
    readonly hostname: string,
    private readonly serverKey: KeyObject,
    private readonly stats: SimStats,
    private readonly behaviour: SimBehaviour,
    private readonly onAnswer: (agent: SimAgent, campaign: string | undefined) => void,
  ) {
    this.key = generateKeyPairSync('ed25519').privateKey;
    const jwk = this.key.export({ format: 'jwk' });
    this.publicKey = Buffer.from(jwk.x as string, 'base64url').toString('base64');
  }

  facts(): HostFactsT {
    return {
      hostname: this.hostname,
      machine_id: `sim-${this.hostname}`,
      os: { platform: 'linux', name: 'Debian GNU/Linux', version: '12', kernel: '6.1.0-sim', arch: 'x86_64' },
      agent_version: '0.1.0-sim',
      extra: {},
    };
  }

  /** Enroll through the real endpoint. */
  async enroll(
    serverUrl: string,
    ca: string,
    token: string,
    post: (url: string, body: unknown) => Promise<{ status: number; body: any }>,
  ): Promise<void> {
    void ca;
    const time = Date.now();
    const proof = sign(null, enrollProofBytes(token, this.publicKey, time), this.key).toString('base64');
    const res = await post(`${serverUrl}${AGENT_PATHS.enroll}`, {
      token,
      public_key: this.publicKey,
      facts: this.facts(),
      time,
      proof,
    });
    if (res.status !== 201 && res.status !== 200)
      throw new Error(`enroll failed: ${JSON.stringify(res.body)}`);
    this.id = res.body.agent_id;
    this.accountId = res.body.account_id;
  }

  /** Connect and authenticate; resolves when the server says auth.ok. */
  connect(serverUrl: string, ca: string, localAddress?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${serverUrl.replace('https', 'wss')}${AGENT_PATHS.ws}`, {
        ca,
        perMessageDeflate: false,
        ...(localAddress ? { localAddress } : {}),
      });
      this.ws = ws;
      let tls: TLSSocket | undefined;
      ws.on('upgrade', (res) => {
        tls = res.socket as TLSSocket;
      });
      ws.on('error', (e) => {
        if (!this.online) reject(e);
      });
      ws.on('close', () => {
        this.online = false;
      });
      ws.on('message', (data) => {
        const m = JSON.parse(String(data));
        if (m.t === 'auth.challenge') {
          const sig = sign(
            null,
            authProofBytes(m.nonce, this.id, channelBinding(tls as TLSSocket)),
            this.key,
          ).toString('base64');
          ws.send(
            JSON.stringify({
              t: 'auth.response',
              agent_id: this.id,
              sig,
              facts: this.facts(),
              status: { mode: 'live', version: '0.1.0-sim', outbox_depth: 0, outbox_evicted: 0 },
            }),
          );
        } else if (m.t === 'auth.ok') {
          this.online = true;
          resolve();
        } else if (m.t === 'command') {
          this.onCommand(m.env);
        }
      });
    });
  }

  private onCommand(env: unknown): void {
    this.stats.commands += 1;
    const v = verifyCommand(env, {
      serverKey: this.serverKey,
      accountId: this.accountId,
      agentId: this.id,
      now: Date.now(),
      seen: (id) => this.seen.has(id),
    });
    if (!v.ok) {
      this.stats.refused += 1;
      return;
    }
    this.stats.verified += 1;
    this.seen.add(v.command.id);
    const campaign = 'campaign' in v.command.aud ? v.command.aud.campaign : undefined;
    if (v.command.kind === 'query.run') {
      const answer = () => {
        const pad = 'x'.repeat(Math.max(0, this.behaviour.rowBytes - 24));
        const rows = Array.from({ length: this.behaviour.rows }, (_, i) => [1000 + i, `proc-${i}`, pad]);
        const body = {
          command_id: v.command.id,
          ...(campaign ? { campaign } : {}),
          status: 'done',
          columns: ['pid', 'name', 'cmdline'],
          rows,
          warnings: [],
          truncated: false,
          duration_ms: this.behaviour.queryDelayMs,
        };
        this.ws?.send(
          JSON.stringify({
            t: 'outbox.deliver',
            items: [{ id: msgId('q'), kind: 'query.result', at: Date.now(), body }],
          }),
        );
        this.stats.answered += 1;
        this.onAnswer(this, campaign);
      };
      if (this.behaviour.queryDelayMs > 0) setTimeout(answer, this.behaviour.queryDelayMs);
      else answer();
    } else if (v.command.kind === 'agent.ping') {
      this.ws?.send(
        JSON.stringify({
          t: 'outbox.deliver',
          items: [
            {
              id: msgId('p'),
              kind: 'command.result',
              at: Date.now(),
              body: { command_id: v.command.id, kind: 'agent.ping', ok: true, result: {} },
            },
          ],
        }),
      );
      this.stats.answered += 1;
      this.onAnswer(this, campaign);
    }
  }

  /** Say goodbye and close. */
  close(): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ t: 'agent.goodbye', reason: 'stop' }));
      this.ws.close(1000);
    }
  }
}
