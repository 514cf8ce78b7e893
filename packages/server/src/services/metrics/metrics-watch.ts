/**
 * Who watches which device live. The first viewer of a device makes the server send the agent a
 * signed `metrics.rate` {interval_s: 1, until} — a lease renewed while anyone watches, so an agent
 * whose server vanished falls back by itself; the last viewer leaving sends it back to the
 * default. An agent that reconnects while watched gets the fast rate again (it resets to the
 * default whenever its channel drops). Each rate change is audited under the viewer who caused it.
 */
import { METRICS_DEFAULT_INTERVAL_S, METRICS_WATCH_INTERVAL_S } from '@vigil/protocol';
import type { AgentHub } from '../../hub/hub.js';
import type { Services } from '../index.js';
import type { Principal, RequestContext } from '../principal.js';

/** Lease timings of the fast rate. */
export interface MetricsWatchOptions {
  /** How long one grant of the fast rate lasts (default 5 min). */
  leaseMs?: number;
  /** How often the grant is renewed while watched (default 2 min; must be shorter than the lease). */
  renewMs?: number;
}

/** A rate command must apply now or never: it is not kept queued for long. */
const RATE_COMMAND_TTL_MS = 30_000;

interface Watched {
  accountId: string;
  viewers: number;
  renew: NodeJS.Timeout;
}

/** Live viewers per device, and the rate commands they cause. */
export class MetricsWatch {
  private readonly watched = new Map<string, Watched>();
  private readonly leaseMs: number;
  private readonly renewMs: number;

  constructor(
    private readonly services: Services,
    private readonly hub: AgentHub,
    options: MetricsWatchOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.renewMs = options.renewMs ?? 2 * 60_000;
    hub.onAttach(async (deviceId, accountId) => {
      if (this.watched.has(deviceId)) await this.sendFast(accountId, deviceId);
    });
  }

  /** How many viewers a device has. */
  viewers(deviceId: string): number {
    return this.watched.get(deviceId)?.viewers ?? 0;
  }

  /** A viewer starts watching a device; call the returned function (once is enough) when it stops. */
  async watch(
    ctx: RequestContext & { principal: Principal },
    deviceId: string,
  ): Promise<() => Promise<void>> {
    const accountId = ctx.principal.accountId;
    const existing = this.watched.get(deviceId);
    if (existing) existing.viewers += 1;
    else {
      const renew = setInterval(() => {
        this.sendFast(accountId, deviceId).catch((e: unknown) =>
          this.services.log.error({ err: e, device: deviceId }, 'renewing the metrics rate failed'),
        );
      }, this.renewMs);
      renew.unref();
      this.watched.set(deviceId, { accountId, viewers: 1, renew });
      // The viewer is counted before anything can fail, so its release always balances the count.
      try {
        const commandId = await this.sendFast(accountId, deviceId);
        await this.services.audit.record(ctx, 'device.metrics_rate', `device:${deviceId}`, 'success', {
          interval_s: METRICS_WATCH_INTERVAL_S,
          reason: 'live view opened',
          command_id: commandId,
        });
      } catch (error) {
        this.services.log.error({ err: error, device: deviceId }, 'sending the fast metrics rate failed');
      }
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      await this.release(ctx, deviceId);
    };
  }

  private async release(ctx: RequestContext & { principal: Principal }, deviceId: string): Promise<void> {
    const w = this.watched.get(deviceId);
    if (!w) return;
    w.viewers -= 1;
    if (w.viewers > 0) return;
    clearInterval(w.renew);
    this.watched.delete(deviceId);
    const commandId = await this.send(w.accountId, deviceId, { interval_s: METRICS_DEFAULT_INTERVAL_S });
    await this.services.audit.record(ctx, 'device.metrics_rate', `device:${deviceId}`, 'success', {
      interval_s: METRICS_DEFAULT_INTERVAL_S,
      reason: 'last live view closed',
      command_id: commandId,
    });
  }

  private sendFast(accountId: string, deviceId: string): Promise<string | null> {
    return this.send(accountId, deviceId, {
      interval_s: METRICS_WATCH_INTERVAL_S,
      until: Date.now() + this.leaseMs,
    });
  }

  /** Sign and send a rate command to a connected agent; a disconnected one is at the default already. */
  private async send(
    accountId: string,
    deviceId: string,
    body: { interval_s: number; until?: number },
  ): Promise<string | null> {
    if (!this.hub.isConnected(deviceId)) return null;
    const d = await this.hub.sendToDevice(accountId, deviceId, 'metrics.rate', body, RATE_COMMAND_TTL_MS);
    return d.commandId;
  }

  /** Stop renewing (server shutdown); agents fall back when their lease ends or their channel drops. */
  stop(): void {
    for (const w of this.watched.values()) clearInterval(w.renew);
    this.watched.clear();
  }
}
