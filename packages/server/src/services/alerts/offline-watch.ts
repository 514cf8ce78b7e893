/**
 * The "offline too long" alert source: a device offline (or lost) for longer than the configured
 * threshold raises one alert per offline period; the alert resolves itself when the device
 * comes back.
 */
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../store/schema.js';
import type { AlertService } from './alert-service.js';

/** The rule name of this source. */
export const OFFLINE_RULE = 'device.offline_too_long';

/** Devices checked per sweep (the rest wait for the next one). */
const SWEEP_BATCH = 500;

/** A human duration: 90061 → "1d 1h 1m 1s" (zero parts left out). */
export function humanDuration(seconds: number): string {
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(seconds / size);
    if (n > 0) parts.push(`${n}${unit}`);
    seconds -= n * size;
  }
  return parts.join(' ') || '0s';
}

/** Watches for devices offline longer than `thresholdS`. */
export class OfflineWatch {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly alerts: AlertService,
    private readonly log: Logger,
    /** Seconds offline before the alert; 0 turns the source off. */
    readonly thresholdS: number,
  ) {}

  /** Sweep on a timer (a quarter of the threshold, between 1 s and 60 s). */
  start(): void {
    if (this.thresholdS <= 0 || this.timer) return;
    const every = Math.min(60_000, Math.max(1000, (this.thresholdS * 1000) / 4));
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .catch((e: unknown) => this.log.error({ err: e }, 'offline-too-long sweep failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, every);
    this.timer.unref();
  }

  /** Stop sweeping and wait for a sweep in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Raise the alert for every device over the threshold that has none for this offline period yet. */
  async sweep(now: Date = new Date()): Promise<number> {
    if (this.thresholdS <= 0) return 0;
    const cutoff = new Date(now.getTime() - this.thresholdS * 1000).toISOString();
    // The key is device id + last seen, so each offline period gets exactly one alert; the
    // NOT EXISTS keeps a sweep cheap when thousands of devices are long gone.
    const rows = await this.db
      .selectFrom('devices as d')
      .select(['d.id', 'd.account_id', 'd.hostname', 'd.status', 'd.last_seen_at', 'd.ip'])
      .where('d.status', 'in', ['offline', 'lost'])
      .where('d.revoked_at', 'is', null)
      .where('d.last_seen_at', 'is not', null)
      .where('d.last_seen_at', '<', cutoff)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('alerts as a')
              .select('a.id')
              .whereRef('a.account_id', '=', 'd.account_id')
              .where('a.rule', '=', OFFLINE_RULE)
              .where(sql<boolean>`a.coalesce_key = d.id || ':' || d.last_seen_at`),
          ),
        ),
      )
      .limit(SWEEP_BATCH)
      .execute();
    let raised = 0;
    for (const d of rows) {
      const lastSeen = d.last_seen_at as string;
      const r = await this.alerts.raise(
        {
          account_id: d.account_id,
          device_id: d.id,
          rule: OFFLINE_RULE,
          severity: 'medium',
          title: `${d.hostname} has been ${d.status} for more than ${humanDuration(this.thresholdS)}`,
          key: `${d.id}:${lastSeen}`,
          once: true,
          context: {
            hostname: d.hostname,
            status: d.status,
            last_seen_at: lastSeen,
            ip: d.ip,
            threshold_s: this.thresholdS,
          },
        },
        { now },
      );
      if (r.outcome !== 'skipped') raised += 1;
    }
    return raised;
  }

  /** A device is back: resolve its offline-too-long alerts. */
  async deviceReturned(accountId: string, deviceId: string): Promise<void> {
    await this.alerts.resolveAutomatically({
      account_id: accountId,
      device_id: deviceId,
      rule: OFFLINE_RULE,
      reason: 'the device is back online',
    });
  }
}
