/**
 * One simulated agent speaking the real protocol: its own Ed25519 key, real enrollment, the real
 * TLS-bound handshake, signature verification of every command, and answers with realistic rows.
 */
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import {
  AGENT_PATHS,
  type AgentStatusT,
  authProofBytes,
  channelBinding,
  DEFLATE_ENCODING,
  enrollProofBytes,
  type HeldSetsT,
  type HostFactsT,
  inflateJson,
  POLL_HEADERS,
  PONG_EVERY_PINGS,
  type PollResponseT,
  pollProofBytes,
  QUIET_PING_PAYLOAD,
  type ScheduleSetBodyT,
  scheduleDigest,
  verifyCommand,
} from '@vigil/protocol';
import { Agent, type Dispatcher, request } from 'undici';
import WebSocket from 'ws';
import { reconnectDelay } from '../../packages/agent/src/daemon/backoff.js';

/** Counters a fleet aggregates. */
export interface SimStats {
  commands: number;
  verified: number;
  refused: number;
  answered: number;
  /** Connections re-established by the reconnect loop. */
  reconnects: number;
  /** Connection attempts of the reconnect loop that failed (each is retried after a backoff). */
  connectFailures: number;
  /** Agents whose reconnect loop ran out of attempts. */
  gaveUp: number;
  /** Outbox items the server acknowledged (live and poll). */
  acked: number;
  /** Poll round trips that succeeded. */
  polls: number;
  /** Poll round trips that failed. */
  pollFailures: number;
}

/** Reconnect like the real agent: exponential backoff with full jitter (the agent's own backoff code). */
export interface ReconnectPolicy {
  baseMs: number;
  capMs: number;
  /** Attempts per outage before the agent gives up (bounded). */
  maxAttempts: number;
  /**
   * A connection attempt that has not authenticated by then counts as failed. The opening
   * (TCP, TLS, upgrade) alone gets at most 15 s, as the real agent's handshake timeout.
   */
  attemptTimeoutMs: number;
}

/** How a live connection is opened. */
export interface ConnectOptions {
  /** Open the TCP socket ourselves so bytes can be counted below TLS (records and handshakes included). */
  countBytes?: boolean;
  /** Give up on the opening (TCP + TLS + upgrade) after this long. */
  handshakeTimeoutMs?: number;
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
/** A message id unique within this process (the server keys ingest by device and id). */
export function msgId(prefix: string): string {
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
  /** Live (default) or poll: where answers go. */
  mode: 'live' | 'poll' = 'live';
  /** Heartbeat interval the server announced in auth.ok (seconds). */
  heartbeatS = 0;
  /** When this agent last sent its own heartbeat ping (ms since epoch). */
  lastPingAt = 0;
  /** Pings sent on this connection (the first of each round asks for a pong). */
  pingsSent = 0;
  /** Reconnect after a drop (off by default: the fleet turns it on). */
  reconnect: ReconnectPolicy | undefined;
  /** Called whenever the agent (re)authenticates. */
  onOnline: ((agent: SimAgent) => void) | undefined;
  /** Bytes below TLS of connections already closed (counted only with countBytes). */
  private readonly closedBytes = { read: 0, written: 0 };
  private raw: Socket | undefined;
  private readonly pollSockets = new Set<Socket>();
  private target:
    | { serverUrl: string; ca: string; localAddress?: string; options: ConnectOptions }
    | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Answers waiting for the next poll (poll mode). */
  private readonly pending: Array<{ id: string; kind: string; at: number; body: unknown }> = [];
  private readonly ackWaiters = new Map<string, () => void>();
  private readonly seen = new Set<string>();
  /**
   * Digests of the sets received, reported on reconnect as the real agent does (it persists them);
   * like a fresh agent, it starts with an empty query schedule.
   */
  private readonly held: HeldSetsT = { schedule_set: scheduleDigest([]) };

  constructor(
    readonly hostname: string,
    private readonly serverKey: KeyObject,
    private readonly stats: SimStats,
    private readonly behaviour: SimBehaviour,
    private readonly onAnswer: (agent: SimAgent, campaign: string | undefined) => void,
  ) {
    // Encoded by the key-generation job itself: exporting a fresh KeyObject as JWK deadlocked
    // Node 20 once in ~10k agents (a GC during the export finalised a key-generation job that
    // waited for the key's lock, held by the export).
    const pair = generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    });
    this.key = createPrivateKey({ key: pair.privateKey, format: 'der', type: 'pkcs8' });
    // An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte header followed by the 32-byte key.
    this.publicKey = pair.publicKey.subarray(pair.publicKey.length - 32).toString('base64');
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
  connect(serverUrl: string, ca: string, localAddress?: string, options: ConnectOptions = {}): Promise<void> {
    this.target = { serverUrl, ca, ...(localAddress ? { localAddress } : {}), options };
    this.mode = 'live';
    return new Promise((resolve, reject) => {
      let raw: Socket | undefined;
      const ws = new WebSocket(`${serverUrl.replace('https', 'wss')}${AGENT_PATHS.ws}`, {
        ca,
        perMessageDeflate: false,
        ...(localAddress ? { localAddress } : {}),
        ...(options.handshakeTimeoutMs ? { handshakeTimeout: options.handshakeTimeoutMs } : {}),
        ...(options.countBytes
          ? {
              // ws hands its TLS options (ca, host, port) to this in place of tls.connect.
              createConnection: ((o: { host: string; port: number | string }) => {
                raw = netConnect({
                  host: o.host,
                  port: Number(o.port),
                  ...(localAddress ? { localAddress } : {}),
                });
                this.raw = raw;
                return tlsConnect({ ...o, port: Number(o.port), socket: raw, servername: '' } as never);
              }) as never,
            }
          : {}),
      });
      this.ws = ws;
      let tls: TLSSocket | undefined;
      let wasOnline = false;
      ws.on('upgrade', (res) => {
        tls = res.socket as TLSSocket;
      });
      ws.on('error', (e) => {
        if (!this.online) reject(e);
      });
      ws.on('close', () => {
        this.online = false;
        if (raw) {
          this.closedBytes.read += raw.bytesRead;
          this.closedBytes.written += raw.bytesWritten;
          if (this.raw === raw) this.raw = undefined;
        }
        // A close before auth.ok fails the attempt (otherwise the promise would never settle).
        if (!wasOnline) reject(new Error('connection closed before authentication'));
        else if (this.reconnect && !this.stopped) this.scheduleReconnect(0, true);
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
              status: this.status('live', 0),
            }),
          );
        } else if (m.t === 'auth.ok') {
          this.online = true;
          wasOnline = true;
          this.heartbeatS = m.heartbeat_s;
          this.lastPingAt = Date.now();
          this.pingsSent = 0;
          this.onOnline?.(this);
          resolve();
        } else if (m.t === 'command') {
          this.onCommand(m.env);
        } else if (m.t === 'outbox.ack') {
          this.acked(m.ids);
        }
      });
    });
  }

  /** Reconnect after `attempt` failed attempts of this outage, with the real agent's backoff. */
  private scheduleReconnect(attempt: number, wasUp: boolean): void {
    const policy = this.reconnect;
    const target = this.target;
    if (!policy || !target || this.stopped) return;
    if (attempt >= policy.maxAttempts) {
      this.stats.gaveUp += 1;
      return;
    }
    const delay = reconnectDelay(attempt, wasUp, { baseMs: policy.baseMs, capMs: policy.capMs });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stopped) return;
      const attemptTimer = setTimeout(() => this.ws?.terminate(), policy.attemptTimeoutMs);
      this.connect(target.serverUrl, target.ca, target.localAddress, {
        handshakeTimeoutMs: Math.min(15_000, policy.attemptTimeoutMs),
        ...target.options,
      }).then(
        () => {
          clearTimeout(attemptTimer);
          this.stats.reconnects += 1;
        },
        () => {
          clearTimeout(attemptTimer);
          this.stats.connectFailures += 1;
          this.ws?.terminate();
          this.scheduleReconnect(attempt + 1, false);
        },
      );
    }, delay);
  }

  /** Send a heartbeat ping, as the real agent does every heartbeat interval (most ask for no pong). */
  ping(now = Date.now()): void {
    this.lastPingAt = now;
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.ping(this.pingsSent % PONG_EVERY_PINGS === 0 ? undefined : QUIET_PING_PAYLOAD);
    this.pingsSent += 1;
  }

  /** Bytes read and written below TLS so far (TLS records and handshakes, HTTP headers; not TCP/IP headers). */
  wireBytes(): { read: number; written: number } {
    let read = this.closedBytes.read;
    let written = this.closedBytes.written;
    for (const s of this.raw ? [this.raw, ...this.pollSockets] : this.pollSockets) {
      read += s.bytesRead;
      written += s.bytesWritten;
    }
    return { read, written };
  }

  /** Send outbox items over the live channel; resolves when the server acknowledges them. */
  deliver(
    items: Array<{ id: string; kind: string; at: number; body: unknown }>,
    timeoutMs = 60_000,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const first = items[0];
      if (!first || !this.ws || this.ws.readyState !== WebSocket.OPEN || !this.online) {
        reject(new Error('not connected'));
        return;
      }
      const timer = setTimeout(() => {
        this.ackWaiters.delete(first.id);
        reject(new Error(`no ack within ${timeoutMs} ms`));
      }, timeoutMs);
      this.ackWaiters.set(first.id, () => {
        clearTimeout(timer);
        resolve();
      });
      this.ws.send(JSON.stringify({ t: 'outbox.deliver', items }));
    });
  }

  private acked(ids: string[]): void {
    this.stats.acked += ids.length;
    for (const id of ids) {
      const w = this.ackWaiters.get(id);
      if (w) {
        this.ackWaiters.delete(id);
        w();
      }
    }
  }

  /** A keep-alive HTTPS pool for this agent's polls whose sockets are counted below TLS. */
  pollDispatcher(ca: string, localAddress?: string): Dispatcher {
    const sockets = this.pollSockets;
    const closed = this.closedBytes;
    return new Agent({
      connections: 1,
      connect: (opts, callback) => {
        const raw = netConnect({
          host: opts.hostname,
          port: Number(opts.port || 443),
          ...(localAddress ? { localAddress } : {}),
        });
        sockets.add(raw);
        raw.once('close', () => {
          closed.read += raw.bytesRead;
          closed.written += raw.bytesWritten;
          sockets.delete(raw);
        });
        const tls = tlsConnect({ socket: raw, ca, host: opts.hostname, servername: '' });
        tls.once('secureConnect', () => callback(null, tls));
        tls.once('error', (e) => callback(e, null));
      },
    });
  }

  /**
   * One signed poll round trip, as the real agent's poller does: queued answers, facts and status
   * out (signed over time, nonce, body hash and the server certificate fingerprint); acks and
   * commands back. Commands are verified and answered into the next poll.
   */
  async poll(serverUrl: string, leafFingerprint: string, dispatcher: Dispatcher): Promise<void> {
    this.mode = 'poll';
    const items = this.pending.splice(0, 500);
    const raw = Buffer.from(
      JSON.stringify({
        items,
        facts: this.facts(),
        status: this.status('poll', items.length),
      }),
    );
    const time = Date.now();
    const nonce = randomBytes(16).toString('hex');
    const sig = sign(
      null,
      pollProofBytes(this.id, time, nonce, createHash('sha256').update(raw).digest('hex'), leafFingerprint),
      this.key,
    ).toString('base64');
    try {
      const res = await request(`${serverUrl}${AGENT_PATHS.poll}`, {
        method: 'POST',
        dispatcher,
        headers: {
          'content-type': 'application/json',
          [POLL_HEADERS.agent]: this.id,
          [POLL_HEADERS.time]: String(time),
          [POLL_HEADERS.nonce]: nonce,
          [POLL_HEADERS.signature]: sig,
        },
        body: raw,
      });
      const answer = (await res.body.json()) as PollResponseT;
      if (res.statusCode !== 200)
        throw new Error(`poll answered ${res.statusCode}: ${JSON.stringify(answer)}`);
      this.stats.polls += 1;
      this.acked(answer.acks);
      for (const env of answer.commands) this.onCommand(env);
    } catch (error) {
      this.stats.pollFailures += 1;
      this.pending.unshift(...items);
      throw error;
    }
  }

  private status(mode: 'live' | 'poll', outboxDepth: number): AgentStatusT {
    return {
      mode,
      version: '0.1.0-sim',
      outbox_depth: outboxDepth,
      outbox_evicted: 0,
      held: this.held,
      accepts: [DEFLATE_ENCODING],
    };
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
        this.sendItem({ id: msgId('q'), kind: 'query.result', at: Date.now(), body });
        this.stats.answered += 1;
        this.onAnswer(this, campaign);
      };
      if (this.behaviour.queryDelayMs > 0) setTimeout(answer, this.behaviour.queryDelayMs);
      else answer();
    } else if (v.command.kind === 'schedule.set') {
      this.held.schedule_set = scheduleDigest((v.command.body as ScheduleSetBodyT).queries);
    } else if (v.command.kind === 'checks.set_deflated') {
      // Inflated as the real agent does (the work, and the check that it is the set named).
      const body = v.command.body as { digest: string; deflated: string };
      const set = inflateJson(body.deflated) as { digest?: unknown };
      if (set.digest === body.digest) this.held.checks_set = body.digest;
    } else if (v.command.kind === 'checks.set' || v.command.kind === 'rules.set') {
      const digest = (v.command.body as { digest?: unknown }).digest;
      if (typeof digest === 'string')
        this.held[v.command.kind === 'checks.set' ? 'checks_set' : 'rules_set'] = digest;
    } else if (v.command.kind === 'agent.ping') {
      this.sendItem({
        id: msgId('p'),
        kind: 'command.result',
        at: Date.now(),
        body: { command_id: v.command.id, kind: 'agent.ping', ok: true, result: {} },
      });
      this.stats.answered += 1;
      this.onAnswer(this, campaign);
    }
  }

  /** Live: send now; poll: keep for the next poll. */
  private sendItem(item: { id: string; kind: string; at: number; body: unknown }): void {
    if (this.mode === 'poll') this.pending.push(item);
    else this.ws?.send(JSON.stringify({ t: 'outbox.deliver', items: [item] }));
  }

  /** Say goodbye and close. */
  close(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify({ t: 'agent.goodbye', reason: 'stop' }));
      this.ws.close(1000);
    }
  }
}
