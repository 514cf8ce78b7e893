/**
 * A simulated fleet: N agents in one process, enrolled and connected over the real protocol,
 * spread over several loopback source addresses (127.0.0.2, .3, …) so one address's ephemeral
 * ports are not the limit. Bounded: every operation has a deadline.
 */
import { setMaxListeners } from 'node:events';
import { ed25519PublicKeyFromRaw } from '@vigil/protocol';
import { Agent, request } from 'undici';
import { SimAgent, type SimBehaviour, type SimStats } from './sim-agent.js';

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
  readonly stats: SimStats = { commands: 0, verified: 0, refused: 0, answered: 0 };
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

  /** Connect every agent (live mode) from the loopback source addresses in turn. */
  async connectAll(): Promise<void> {
    const spread = this.options.sourceAddresses ?? 1;
    await this.pool(this.agents, (a, i) =>
      a.connect(
        this.options.serverUrl,
        this.options.caPem,
        spread > 1 ? `127.0.0.${2 + (i % spread)}` : undefined,
      ),
    );
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

  /** Close every connection and the HTTP pool. */
  async close(): Promise<void> {
    for (const a of this.agents) a.close();
    await this.dispatcher.close();
  }
}
