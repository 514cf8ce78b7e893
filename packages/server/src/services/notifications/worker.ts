/**
 * The notification worker: drains the durable delivery queue. Each due delivery is claimed with
 * a lease (so several nodes can run workers, and a node that dies mid-send leaves it to the
 * next), then, per route: digest mode holds alerts for one digest per window; a rate limit
 * sends up to N per window and holds the rest for a digest; everything else is sent now.
 * Failures retry with exponential backoff and become dead letters after the route's
 * max_attempts.
 */
import type { NotificationChannelT } from '@vigil/protocol';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { newId, nowIso } from '../../store/ids.js';
import { type DeliveryRow, NotificationDeliveriesRepo } from '../../store/repos/notification-deliveries.js';
import { NotificationRoutesRepo, type RouteRow } from '../../store/repos/notification-routes.js';
import type { Database } from '../../store/schema.js';
import { backoffMs } from './backoff.js';
import { ChannelError, type ChannelSend } from './channels/channel.js';
import { CHANNELS } from './channels/index.js';
import { buildMessage } from './message.js';
import type { SecretBox } from './secret-box.js';

/** Options of the worker. */
export interface WorkerOptions {
  /** How often the queue is polled when nothing nudges the worker. */
  intervalMs?: number;
  /** Deliveries claimed per pass. */
  batch?: number;
  /** How long a claim holds before another node may take the delivery over. */
  leaseMs?: number;
  /** Alerts one digest may carry (more wait for the next). */
  digestMax?: number;
  /** Channel senders (the real ones by default). */
  channels?: Record<NotificationChannelT, ChannelSend>;
  /** Randomness of the backoff jitter. */
  random?: () => number;
}

/** What one pass did. */
export interface PassReport {
  sent: number;
  retried: number;
  dead: number;
  held: number;
  digests: number;
  cancelled: number;
}

/** Drains the delivery queue. */
export class NotificationWorker {
  private readonly deliveries: NotificationDeliveriesRepo;
  private readonly routes: NotificationRoutesRepo;
  private readonly opts: Required<WorkerOptions>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
    private readonly log: Logger,
    options: WorkerOptions = {},
  ) {
    this.deliveries = new NotificationDeliveriesRepo(db);
    this.routes = new NotificationRoutesRepo(db);
    this.opts = {
      intervalMs: options.intervalMs ?? 1000,
      batch: options.batch ?? 100,
      leaseMs: options.leaseMs ?? 60_000,
      digestMax: options.digestMax ?? 1000,
      channels: options.channels ?? CHANNELS,
      random: options.random ?? Math.random,
    };
  }

  /** Poll on a timer until stopped. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.nudge(), this.opts.intervalMs);
    this.timer.unref();
    this.nudge();
  }

  /** Run a pass now (or right after the one in progress): new alerts need not wait for the timer. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((e: unknown) => this.log.error({ err: e }, 'notification pass failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.nudge();
        }
      });
  }

  /** Stop polling and wait for the pass in progress (its claims are released by their leases if cut short). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async drain(): Promise<void> {
    // Keep going while whole batches come back, so a backlog drains without waiting for ticks.
    for (let i = 0; i < 100 && !this.stopped; i += 1) {
      const r = await this.runOnce();
      const work = r.sent + r.retried + r.dead + r.held + r.digests + r.cancelled;
      if (work < this.opts.batch) return;
    }
  }

  /** One pass: fold due holds into digests, then claim and process due deliveries. */
  async runOnce(now: Date = new Date()): Promise<PassReport> {
    const report: PassReport = { sent: 0, retried: 0, dead: 0, held: 0, digests: 0, cancelled: 0 };
    report.digests = await this.flushDigests(now);
    const at = nowIso(now);
    const lease = nowIso(new Date(now.getTime() + this.opts.leaseMs));
    for (const id of await this.deliveries.due(at, this.opts.batch)) {
      if (!(await this.deliveries.claim(id, at, lease))) continue;
      const d = await this.deliveries.byId(id);
      if (!d) continue;
      const outcome = await this.process(d, now);
      report[outcome] += 1;
    }
    return report;
  }

  private async process(d: DeliveryRow, now: Date): Promise<keyof PassReport> {
    const route = await this.routes.byId(d.route_id);
    if (route?.enabled !== 1) {
      await this.deliveries.update(d.id, {
        status: 'cancelled',
        lease_until: null,
        last_error: route ? 'the route is disabled' : 'the route was deleted',
      });
      return 'cancelled';
    }
    if (d.kind === 'alert' && d.attempts === 0) {
      const holdFor = await this.holdFor(route, now);
      if (holdFor !== null) {
        await this.deliveries.update(d.id, {
          status: 'held',
          lease_until: null,
          next_attempt_at: nowIso(new Date(now.getTime() + holdFor * 1000)),
        });
        return 'held';
      }
    }
    return this.send(d, route, now);
  }

  /** Seconds to hold a fresh alert for a digest, or null to send it now. */
  private async holdFor(route: RouteRow, now: Date): Promise<number | null> {
    if (route.digest_window_s) return route.digest_window_s;
    if (route.rate_limit_count !== null) {
      const since = nowIso(new Date(now.getTime() - route.rate_limit_window_s * 1000));
      if ((await this.deliveries.startedSince(route.id, since)) >= route.rate_limit_count)
        return route.rate_limit_window_s;
    }
    return null;
  }

  private async send(d: DeliveryRow, route: RouteRow, now: Date): Promise<keyof PassReport> {
    const attempts = d.attempts + 1;
    const at = nowIso(now);
    await this.deliveries.update(d.id, { attempts, first_attempt_at: d.first_attempt_at ?? at });
    try {
      const message = await buildMessage(this.db, d, now);
      const secret = route.secret === null ? null : this.box.open(route.secret);
      await this.opts.channels[route.channel as NotificationChannelT](
        JSON.parse(route.config) as Record<string, unknown>,
        secret,
        message,
      );
    } catch (error) {
      const reason =
        error instanceof ChannelError
          ? error.message
          : `internal error preparing the message: ${(error as Error).message}`.slice(0, 300);
      if (!(error instanceof ChannelError))
        this.log.error({ err: error, delivery: d.id }, 'notification could not be prepared');
      if (attempts >= route.max_attempts) {
        await this.deliveries.update(d.id, { status: 'dead', lease_until: null, last_error: reason });
        this.log.warn({ delivery: d.id, route: route.id, attempts, reason }, 'notification dead-lettered');
        return 'dead';
      }
      await this.deliveries.update(d.id, {
        status: 'pending',
        lease_until: null,
        last_error: reason,
        next_attempt_at: nowIso(new Date(now.getTime() + backoffMs(attempts, this.opts.random))),
      });
      return 'retried';
    }
    await this.deliveries.update(d.id, {
      status: 'sent',
      lease_until: null,
      sent_at: nowIso(),
      last_error: null,
    });
    return 'sent';
  }

  /** Fold the held alerts of every route whose hold is over into one digest delivery each. */
  private async flushDigests(now: Date): Promise<number> {
    const at = nowIso(now);
    let made = 0;
    for (const routeId of await this.deliveries.digestsDue(at)) {
      const created = await this.db
        .transaction()
        .execute(async (trx) => {
          const repo = new NotificationDeliveriesRepo(trx);
          const held = await repo.held(routeId, this.opts.digestMax);
          const first = held[0];
          if (!first) return false;
          const digestId = newId();
          // Another node folding the same rows gets fewer than it read: it rolls back and leaves them.
          if (
            (await repo.markDigested(
              held.map((h) => h.id),
              digestId,
            )) !== held.length
          )
            throw new DigestRace();
          const alertIds = [...new Set(held.flatMap((h) => JSON.parse(h.alert_ids) as string[]))];
          await repo.insert([
            {
              id: digestId,
              account_id: first.account_id,
              route_id: routeId,
              route_name: first.route_name,
              kind: 'digest',
              alert_ids: JSON.stringify(alertIds),
              status: 'pending',
              attempts: 0,
              next_attempt_at: at,
              lease_until: null,
              first_attempt_at: null,
              last_error: null,
              digest_id: null,
              created_at: at,
              sent_at: null,
            },
          ]);
          return true;
        })
        .catch((e: unknown) => {
          if (e instanceof DigestRace) return false;
          throw e;
        });
      if (created) made += 1;
    }
    return made;
  }
}

class DigestRace extends Error {}
