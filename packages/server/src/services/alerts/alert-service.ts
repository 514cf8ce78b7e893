/**
 * The one entry every alert source calls (`raise`): coalescing (same rule and key within a
 * window bumps count and last seen), suppression, notification routing; and the status changes
 * of the inbox (acknowledge, resolve) with who and when, every change audited.
 */
import { EventEmitter } from 'node:events';
import type { AlertListQueryT, AlertStatusT, AlertSummaryT, AlertT, SeverityT } from '@vigil/protocol';
import { VigilError } from '@vigil/protocol';
import type { Kysely } from 'kysely';
import type { ConsoleEvents } from '../../bus/console-events.js';
import { newId, nowIso } from '../../store/ids.js';
import { type AlertRow, AlertsRepo } from '../../store/repos/alerts.js';
import type { Database } from '../../store/schema.js';
import type { AuditService } from '../audit-service.js';
import type { GroupService } from '../group-service.js';
import { enqueueNotifications } from '../notifications/enqueue.js';
import type { Principal, RequestContext } from '../principal.js';
import { alertDetail, alertSummary } from './alert-dto.js';
import { maxSeverity } from './rule-pattern.js';
import { findSuppression } from './suppression-match.js';
import { auditSystem } from './system-audit.js';

type Ctx = RequestContext & { principal: Principal };

/** How long repeats of one rule and key fold into the same alert, by default. */
export const DEFAULT_COALESCE_WINDOW_S = 3600;

/** One occurrence of something worth an alert. */
export interface RaiseInput {
  account_id: string;
  device_id: string | null;
  /** The detection rule, e.g. `agent.lost` or `check.Linux.Ssh.RootLoginDisabled`. */
  rule: string;
  severity: SeverityT;
  title: string;
  /** What makes two occurrences of the rule "the same" (default: the device). */
  key?: string;
  /** Full context: process tree, file details and diff, network peer, raw event… */
  context: Record<string, unknown>;
  /** Coalescing window in seconds (default one hour). */
  window_s?: number;
  /** Raise only if no alert of this rule and key exists in any status (one alert per condition). */
  once?: boolean;
  /** Occurrences this call stands for (an agent coalesces bursts before it sends them); default 1. */
  count?: number;
}

/** What `raise` did. */
export type RaiseOutcome = 'created' | 'coalesced' | 'suppressed' | 'skipped';

/** Alert use cases. Emits `queued` after notifications were queued (the worker listens). */
export class AlertService extends EventEmitter {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditService,
    private readonly groups: GroupService,
    private readonly events: ConsoleEvents,
  ) {
    super();
  }

  /**
   * Raise an alert or fold it into the open one of the same rule and key. Pass `trx` when the
   * caller is inside a transaction (agent ingest); the alert then commits with the caller's work.
   */
  async raise(
    input: RaiseInput,
    options: { trx?: Kysely<Database>; now?: Date } = {},
  ): Promise<{ alert: AlertRow; outcome: RaiseOutcome }> {
    const now = options.now ?? new Date();
    let queued = 0;
    const run = async (trx: Kysely<Database>) => {
      const r = await this.raiseIn(trx, input, now);
      queued = r.queued;
      return r;
    };
    const result = options.trx ? await run(options.trx) : await this.db.transaction().execute(run);
    if (queued > 0) this.emit('queued', queued);
    if (result.outcome !== 'skipped')
      this.announce(
        options.trx,
        result.alert,
        result.outcome === 'coalesced' ? 'alert.updated' : 'alert.raised',
      );
    return { alert: result.alert, outcome: result.outcome };
  }

  private async raiseIn(
    trx: Kysely<Database>,
    input: RaiseInput,
    now: Date,
  ): Promise<{ alert: AlertRow; outcome: RaiseOutcome; queued: number }> {
    const repo = new AlertsRepo(trx);
    const key = input.key ?? input.device_id ?? '-';
    const at = nowIso(now);
    const context = JSON.stringify(input.context);
    if (input.once) {
      const existing = await repo.latest(input.account_id, input.rule, key);
      if (existing) return { alert: existing, outcome: 'skipped', queued: 0 };
    }
    const windowS = input.window_s ?? DEFAULT_COALESCE_WINDOW_S;
    const since = nowIso(new Date(now.getTime() - windowS * 1000));
    const open = await repo.findCoalescible(input.account_id, input.rule, key, since);
    if (open) {
      const patch = {
        count: open.count + (input.count ?? 1),
        last_seen: laterIso(at, open.last_seen),
        severity: maxSeverity(open.severity, input.severity),
        context,
      };
      await repo.update(open.id, patch);
      return { alert: { ...open, ...patch }, outcome: 'coalesced', queued: 0 };
    }
    const suppression = await findSuppression(trx, input.account_id, input.rule, input.device_id, at);
    const row: AlertRow = {
      id: newId(),
      account_id: input.account_id,
      device_id: input.device_id,
      rule: input.rule,
      severity: input.severity,
      title: input.title,
      status: suppression ? 'suppressed' : 'open',
      coalesce_key: key,
      count: input.count ?? 1,
      first_seen: at,
      last_seen: at,
      context,
      acknowledged_by: null,
      acknowledged_at: null,
      resolved_by: null,
      resolved_at: null,
      status_note: null,
      suppression_id: suppression?.id ?? null,
    };
    await repo.insert(row);
    await auditSystem(trx, input.account_id, 'alert.raise', `alert:${row.id}`, {
      rule: row.rule,
      severity: row.severity,
      device_id: row.device_id,
      status: row.status,
      ...(suppression ? { suppression_id: suppression.id } : {}),
    });
    const queued = suppression ? 0 : await enqueueNotifications(trx, row, now);
    return { alert: row, outcome: suppression ? 'suppressed' : 'created', queued };
  }

  /**
   * Resolve, as the server, the unresolved alerts of a rule on a device (a failing check passes
   * again, an offline device returns). Returns how many were resolved.
   */
  async resolveAutomatically(
    input: { account_id: string; device_id: string; rule: string; key?: string; reason: string },
    options: { trx?: Kysely<Database>; now?: Date } = {},
  ): Promise<number> {
    const at = nowIso(options.now ?? new Date());
    const resolved: AlertRow[] = [];
    const announce = (n: number) => {
      for (const a of resolved) this.announce(options.trx, a, 'alert.updated');
      return n;
    };
    const run = async (trx: Kysely<Database>) => {
      const repo = new AlertsRepo(trx);
      let n = 0;
      for (const a of await repo.unresolvedOf(input.account_id, input.rule, input.device_id, input.key)) {
        const changed = await repo.transition(a.id, ['open', 'acknowledged', 'suppressed'], {
          status: 'resolved',
          resolved_by: 'system',
          resolved_at: at,
          status_note: input.reason,
          last_seen: laterIso(at, a.last_seen),
        });
        if (!changed) continue;
        n += 1;
        resolved.push({ ...a, status: 'resolved', last_seen: laterIso(at, a.last_seen) });
        await auditSystem(trx, input.account_id, 'alert.resolve', `alert:${a.id}`, {
          from: a.status,
          reason: input.reason,
        });
      }
      return n;
    };
    if (options.trx) return announce(await run(options.trx));
    // Most calls find nothing to resolve (every agent reconnect asks): skip the write transaction then.
    const pending = await new AlertsRepo(this.db).unresolvedOf(
      input.account_id,
      input.rule,
      input.device_id,
      input.key,
    );
    return pending.length === 0 ? 0 : announce(await this.db.transaction().execute(run));
  }

  /** One alert with its context, or E_ALERT_NOT_FOUND. */
  async get(p: Principal, id: string): Promise<AlertT> {
    const row = await new AlertsRepo(this.db).byId(p.accountId, id);
    if (!row) throw new VigilError('E_ALERT_NOT_FOUND', `no alert ${id} in this account`);
    return alertDetail(row);
  }

  /** One page of the inbox. */
  async list(
    p: Principal,
    q: AlertListQueryT,
  ): Promise<{ items: AlertSummaryT[]; next_cursor: string | null }> {
    if (q.since && q.until && q.since >= q.until)
      throw new VigilError('E_VALIDATION', `'since' (${q.since}) must be before 'until' (${q.until})`);
    const groupId = q.group ? (await this.groups.getRow(p, q.group)).id : undefined;
    const page = await new AlertsRepo(this.db).page(p.accountId, {
      ...(q.severity ? { severity: q.severity } : {}),
      ...(q.min_severity ? { min_severity: q.min_severity } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.device ? { device_id: q.device } : {}),
      ...(groupId ? { group_id: groupId } : {}),
      ...(q.rule ? { rule: q.rule } : {}),
      ...(q.since ? { since: new Date(q.since).toISOString() } : {}),
      ...(q.until ? { until: new Date(q.until).toISOString() } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
      limit: q.limit ?? 50,
    });
    return { items: page.items.map(alertSummary), next_cursor: page.next_cursor };
  }

  /** Acknowledge an open (or suppressed) alert: someone is on it. */
  async acknowledge(ctx: Ctx, id: string, note?: string): Promise<AlertT> {
    return this.changeStatus(ctx, id, 'acknowledged', ['open', 'suppressed'], note);
  }

  /** Resolve an alert; a later occurrence raises a new one. */
  async resolve(ctx: Ctx, id: string, note?: string): Promise<AlertT> {
    return this.changeStatus(ctx, id, 'resolved', ['open', 'acknowledged', 'suppressed'], note);
  }

  private async changeStatus(
    ctx: Ctx,
    id: string,
    to: 'acknowledged' | 'resolved',
    from: string[],
    note: string | undefined,
  ): Promise<AlertT> {
    const repo = new AlertsRepo(this.db);
    const before = await repo.byId(ctx.principal.accountId, id);
    if (!before) throw new VigilError('E_ALERT_NOT_FOUND', `no alert ${id} in this account`);
    const at = nowIso();
    const who = ctx.principal.email;
    const patch =
      to === 'acknowledged'
        ? { status: to, acknowledged_by: who, acknowledged_at: at, status_note: note ?? null }
        : { status: to, resolved_by: who, resolved_at: at, status_note: note ?? null };
    if (!from.includes(before.status) || !(await repo.transition(id, from, patch))) {
      const current = (await repo.byId(ctx.principal.accountId, id)) ?? before;
      await this.audit.record(
        ctx,
        `alert.${to === 'acknowledged' ? 'acknowledge' : 'resolve'}`,
        `alert:${id}`,
        'failure',
        {
          status: current.status,
        },
      );
      throw new VigilError('E_ALERT_STATE', stateMessage(current, to));
    }
    this.announce(undefined, { ...before, status: to }, 'alert.updated');
    await this.audit.record(
      ctx,
      `alert.${to === 'acknowledged' ? 'acknowledge' : 'resolve'}`,
      `alert:${id}`,
      'success',
      {
        from: before.status,
        ...(note ? { note } : {}),
      },
    );
    return this.get(ctx.principal, id);
  }

  /** Tell the account's consoles about an alert (after `trx` commits, when there is one). */
  private announce(
    trx: Kysely<Database> | undefined,
    a: AlertRow,
    type: 'alert.raised' | 'alert.updated',
  ): void {
    this.events.publishAfter(trx, a.account_id, {
      type,
      alert_id: a.id,
      device_id: a.device_id,
      rule: a.rule,
      severity: a.severity as SeverityT,
      status: a.status as AlertStatusT,
      count: a.count,
      at: nowIso(),
    });
  }
}

/** The later of two ISO timestamps. */
function laterIso(a: string, b: string): string {
  return [a, b].sort()[1] as string;
}

function stateMessage(a: AlertRow, to: 'acknowledged' | 'resolved'): string {
  if (a.status === 'resolved')
    return `alert ${a.id} was already resolved by ${a.resolved_by ?? 'someone'} at ${a.resolved_at ?? '?'}; a new occurrence raises a new alert`;
  if (a.status === 'acknowledged' && to === 'acknowledged')
    return `alert ${a.id} was already acknowledged by ${a.acknowledged_by ?? 'someone'} at ${a.acknowledged_at ?? '?'}; resolve it when done`;
  return `alert ${a.id} is ${a.status} and cannot become ${to}`;
}
