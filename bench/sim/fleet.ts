/**
 * A simulated fleet: N agents in one process, enrolled and connected over the real protocol,
 * spread over several loopback source addresses (127.0.0.2, .3, …) so one address's ephemeral
 * ports are not the limit. Bounded: every operation has a deadline.
 */
import { setMaxListeners } from 'node:events';
import { ed25519PublicKeyFromRaw } from '@vigil/protocol';
import { Agent, type Dispatcher, request } from 'undici';
import type { AgentState } from '../../packages/agent/src/daemon/identity.js';
import { leafFingerprint } from '../../packages/agent/src/daemon/leaf-fingerprint.js';
import {
  type ConnectOptions,
  type ReconnectPolicy,
  SimAgent,
  type SimBehaviour,
  type SimStats,
} from './sim-agent.js';

/** Options of a fleet. */
export interface FleetOptions {
  serverUrl: string;
  caPem: string;
  signingPublicKey: string;
  enrollmentToken: string;
  size: number;
  sourceAddresses?: number;
  behaviour?: Partial<SimBehaviour>;
  concurrency?: number;
}

/** A running simulated fleet. */
export class SimFleet {
  readonly agents: SimAgent[] = [];
  readonly stats: SimStats = {
    commands: 0,
    verified: 0,
    refused: 0,
    answered: 0,
    reconnects: 0,
    connectFailures: 0,
    gaveUp: 0,
    acked: 0,
    polls: 0,
    pollFailures: 0,
  };
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pollDispatchers: Dispatcher[] = [];
  private stopped = false;
  private readonly dispatcher: Agent;
  private readonly waiters = new Map<string, { count: number; done: () => void }>();
  /** Answers per campaign, counted even before anyone waits (agents answer within microseconds). */
  private readonly answers = new Map<string, number>();

  constructor(private readonly options: FleetOptions) {
    setMaxListeners(0);
    this.dispatcher = new Agent({ connect: { ca: options.caPem }, connections: 16 });
    const behaviour: SimBehaviour = { rows: 3, rowBytes: 160, queryDelayMs: 0, ...options.behaviour };
    const serverKey = ed25519PublicKeyFromRaw(options.signingPublicKey);
    for (let i = 0; i < options.size; i++) {
      this.agents.push(
        new SimAgent(
          `sim-${i.toString().padStart(6, '0')}`,
          serverKey,
          this.stats,
          behaviour,
          (_a, campaign) => this.answered(campaign),
        ),
      );
    }
  }

  private answered(campaign: string | undefined): void {
    if (!campaign) return;
    const n = (this.answers.get(campaign) ?? 0) + 1;
    this.answers.set(campaign, n);
    const w = this.waiters.get(campaign);
    if (w && n >= w.count) w.done();
  }

  private async pool<T>(items: T[], fn: (item: T, i: number) => Promise<void>): Promise<void> {
    const limit = this.options.concurrency ?? 64;
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(limit, items.length) }, async () => {
        while (next < items.length) {
          const i = next++;
          await fn(items[i] as T, i);
        }
      }),
    );
  }

  /** Enroll every agent through the real endpoint. */
  async enrollAll(): Promise<void> {
    const post = async (url: string, body: unknown) => {
      const res = await request(url, {
        method: 'POST',
        dispatcher: this.dispatcher,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.statusCode, body: (await res.body.json()) as any };
    };
    await this.pool(this.agents, (a) =>
      a.enroll(this.options.serverUrl, this.options.caPem, this.options.enrollmentToken, post),
    );
  }

  /** The loopback source address of agent `i` (127.0.0.2, .3, … in turn), if the fleet spreads them. */
  sourceAddress(i: number): string | undefined {
    const spread = this.options.sourceAddresses ?? 1;
    return spread > 1 ? `127.0.0.${2 + (i % spread)}` : undefined;
  }

  /** Connect every agent (live mode) from the loopback source addresses in turn. */
  async connectAll(options: ConnectOptions = {}): Promise<void> {
    await this.pool(this.agents, (a, i) =>
      a.connect(this.options.serverUrl, this.options.caPem, this.sourceAddress(i), options),
    );
  }

  /** From now on every agent reconnects after a drop, with the real agent's backoff and full jitter. */
  keepConnected(policy: ReconnectPolicy): void {
    for (const a of this.agents) a.reconnect = policy;
  }

  /**
   * Agents ping the server every heartbeat interval it announced, as the real agent does (its
   * setInterval keeps the phase). One timer for the whole fleet, each agent's phase the moment it
   * authenticated: a ping is due exactly one interval after the last one was due, so a tick's
   * lateness does not add up over the run.
   */
  startHeartbeats(): void {
    const timer = setInterval(() => {
      const now = Date.now();
      for (const a of this.agents) {
        if (!a.online || a.heartbeatS <= 0) continue;
        const due = a.lastPingAt + a.heartbeatS * 1000;
        // After a stall longer than an interval, start a new phase rather than ping in a burst.
        if (now >= due) a.ping(now - due < a.heartbeatS * 1000 ? due : now);
      }
    }, 100);
    this.timers.add(timer);
  }

  /**
   * Every agent polls (signed HTTPS) every `intervalMs`, its first poll at a random point of the
   * first interval; each keeps one keep-alive connection, as the real agent's poller does.
   * `primeRounds` polls per agent run first, back to back (the first poll registers the agent;
   * the second fetches what the server pushes on attach), and are awaited.
   */
  async startPolling(intervalMs: number, primeRounds = 0): Promise<void> {
    const fingerprint = await leafFingerprint({
      server_url: this.options.serverUrl,
      ca_pem: this.options.caPem,
    } as AgentState);
    const dispatchers = this.agents.map((a, i) => {
      const dispatcher = a.pollDispatcher(this.options.caPem, this.sourceAddress(i));
      this.pollDispatchers.push(dispatcher);
      return dispatcher;
    });
    for (let r = 0; r < primeRounds; r++)
      await this.pool(this.agents, (a, i) =>
        a.poll(this.options.serverUrl, fingerprint, dispatchers[i] as Dispatcher),
      );
    this.agents.forEach((a, i) => {
      const dispatcher = dispatchers[i] as Dispatcher;
      const tick = () => {
        if (this.stopped) return;
        void a
          .poll(this.options.serverUrl, fingerprint, dispatcher)
          .catch(() => {})
          .finally(() => {
            if (this.stopped) return;
            const t = setTimeout(() => {
              this.timers.delete(t);
              tick();
            }, intervalMs);
            this.timers.add(t);
          });
      };
      const first = setTimeout(() => {
        this.timers.delete(first);
        tick();
      }, Math.random() * intervalMs);
      this.timers.add(first);
    });
  }

  /** Bytes below TLS of every agent's connections so far (needs ConnectOptions.countBytes or polling). */
  wireBytes(): { read: number; written: number } {
    let read = 0;
    let written = 0;
    for (const a of this.agents) {
      const b = a.wireBytes();
      read += b.read;
      written += b.written;
    }
    return { read, written };
  }

  /** Wait until `count` agents answered the campaign, or the deadline passes. */
  expectAnswers(campaign: string, count: number, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      if ((this.answers.get(campaign) ?? 0) >= count) return resolve(true);
      const t = setTimeout(() => {
        this.waiters.delete(campaign);
        resolve(false);
      }, timeoutMs);
      this.waiters.set(campaign, {
        count,
        done: () => {
          clearTimeout(t);
          this.waiters.delete(campaign);
          resolve(true);
        },
      });
    });
  }

  /** How many agents are authenticated right now. */
  online(): number {
    return this.agents.filter((a) => a.online).length;
  }

  /** Close every connection and the HTTP pools; stops heartbeats, polling and reconnecting. */
  async close(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const a of this.agents) a.close();
    await Promise.all(this.pollDispatchers.map((d) => d.close().catch(() => {})));
    await this.dispatcher.close();
  }
}
