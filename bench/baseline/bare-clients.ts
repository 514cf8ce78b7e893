/**
 * Bare baseline clients: N plain `ws` clients over TLS (CA pinned, like the agents) with no
 * protocol on top, spread over loopback source addresses, optionally reconnecting after a drop
 * with the same backoff code as the real agent and the simulated one. What the Vigil figures
 * of the capacity and reconnect-storm benchmarks are divided by.
 */
import WebSocket from 'ws';
import { reconnectDelay } from '../../packages/agent/src/daemon/backoff.js';
import type { ReconnectPolicy } from '../sim/sim-agent.js';

/** Counters of a bare fleet. */
export interface BareStats {
  reconnects: number;
  connectFailures: number;
  gaveUp: number;
}

class BareClient {
  ws: WebSocket | undefined;
  online = false;
  private timer: NodeJS.Timeout | undefined;
  stopped = false;

  constructor(
    private readonly url: string,
    private readonly ca: string,
    private readonly localAddress: string | undefined,
    private readonly stats: BareStats,
    public policy: ReconnectPolicy | undefined,
  ) {}

  /** Open the connection; resolves once the WebSocket is open. */
  connect(timeoutMs?: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, {
        ca: this.ca,
        perMessageDeflate: false,
        ...(this.localAddress ? { localAddress: this.localAddress } : {}),
        ...(timeoutMs ? { handshakeTimeout: timeoutMs } : {}),
      });
      this.ws = ws;
      let wasOpen = false;
      ws.on('open', () => {
        wasOpen = true;
        this.online = true;
        resolve();
      });
      ws.on('error', reject);
      ws.on('close', () => {
        this.online = false;
        if (!wasOpen) reject(new Error('closed before open'));
        else if (this.policy && !this.stopped) this.retry(0, true);
      });
    });
  }

  private retry(attempt: number, wasUp: boolean): void {
    const p = this.policy;
    if (!p || this.stopped) return;
    if (attempt >= p.maxAttempts) {
      this.stats.gaveUp += 1;
      return;
    }
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (this.stopped) return;
        this.connect(Math.min(15_000, p.attemptTimeoutMs)).then(
          () => {
            this.stats.reconnects += 1;
          },
          () => {
            this.stats.connectFailures += 1;
            this.ws?.terminate();
            this.retry(attempt + 1, false);
          },
        );
      },
      reconnectDelay(attempt, wasUp, { baseMs: p.baseMs, capMs: p.capMs }),
    );
  }

  close(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.terminate();
  }
}

/** N bare clients of the baseline server. */
export class BareFleet {
  readonly stats: BareStats = { reconnects: 0, connectFailures: 0, gaveUp: 0 };
  private readonly clients: BareClient[] = [];

  constructor(url: string, ca: string, size: number, sourceAddresses: number) {
    for (let i = 0; i < size; i++) {
      const local = sourceAddresses > 1 ? `127.0.0.${2 + (i % sourceAddresses)}` : undefined;
      this.clients.push(new BareClient(url, ca, local, this.stats, undefined));
    }
  }

  /** Connect every client, at most `concurrency` opening at once. */
  async connectAll(concurrency = 64): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, this.clients.length) }, async () => {
        while (next < this.clients.length) await (this.clients[next++] as BareClient).connect();
      }),
    );
  }

  /** From now on every client reconnects after a drop. */
  keepConnected(policy: ReconnectPolicy): void {
    for (const c of this.clients) c.policy = policy;
  }

  /** Clients connected right now. */
  online(): number {
    let n = 0;
    for (const c of this.clients) if (c.online) n += 1;
    return n;
  }

  /** Close every client and stop reconnecting. */
  close(): void {
    for (const c of this.clients) c.close();
  }
}
