/**
 * Saved and scheduled queries. A schedule runs on the agent (so it keeps running while the
 * server is unreachable); the server pushes each device its whole schedule as a signed
 * `schedule.set` on connect and whenever a query or its targets change, and stores what the
 * agents report: snapshots, or the rows added/removed since the previous run (differential).
 */

import { validateSql } from '@vigil/agent';
import {
  type ScheduledQueryT,
  ScheduledResultBody,
  type ScheduledResultBodyT,
  scheduleDigest,
  type TargetsT,
  VigilError,
} from '@vigil/protocol';
import { Cron } from 'croner';
import type { AgentHub } from '../hub/hub.js';
import { newId, nowIso } from '../store/ids.js';
import type { Services } from './index.js';
import type { LiveQueryService } from './live-query-service.js';
import type { Principal, RequestContext } from './principal.js';
import { resolveTargets, targetsInclude } from './targets.js';

type Ctx = RequestContext & { principal: Principal };

/** A saved query as the API shows it. */
export interface SavedQueryDto {
  id: string;
  name: string;
  description: string;
  sql: string;
  targets: TargetsT;
  interval_s: number | null;
  cron: string | null;
  mode: 'snapshot' | 'differential';
  enabled: boolean;
  created_at: string;
}

/** Input of create/update. */
export interface SavedQueryInput {
  name?: string;
  description?: string;
  sql?: string;
  targets?: TargetsT;
  interval_s?: number | null;
  cron?: string | null;
  mode?: 'snapshot' | 'differential';
  enabled?: boolean;
}

/** Saved and scheduled query use cases. */
export class SavedQueryService {
  constructor(
    private readonly services: Services,
    private readonly hub: AgentHub,
    private readonly live: LiveQueryService,
  ) {
    hub.ingestor.register('query.scheduled', ScheduledResultBody, async (trx, source, body) => {
      const b = body as ScheduledResultBodyT;
      const q = await trx
        .selectFrom('saved_queries')
        .select(['id'])
        .where('id', '=', b.query_id)
        .where('account_id', '=', source.accountId)
        .executeTakeFirst();
      if (!q) return;
      await trx
        .insertInto('scheduled_results')
        .values({
          id: newId(),
          account_id: source.accountId,
          query_id: b.query_id,
          device_id: source.deviceId,
          campaign_id: '',
          at: new Date(b.at).toISOString(),
          columns: JSON.stringify(b.columns),
          rows: JSON.stringify(b.rows ?? []),
          added: b.added ? JSON.stringify(b.added) : null,
          removed: b.removed ? JSON.stringify(b.removed) : null,
        })
        .execute();
    });
    hub.onAttach((deviceId, accountId, held) => this.pushSchedule(accountId, deviceId, held.schedule_set));
  }

  private dto(r: {
    id: string;
    name: string;
    description: string;
    sql: string;
    targets: string;
    interval_s: number | null;
    cron: string | null;
    mode: string;
    enabled: number;
    created_at: string;
  }): SavedQueryDto {
    return {
      id: r.id,
      name: r.name,
      description: r.description,
      sql: r.sql,
      targets: JSON.parse(r.targets) as TargetsT,
      interval_s: r.interval_s,
      cron: r.cron,
      mode: r.mode as SavedQueryDto['mode'],
      enabled: r.enabled === 1,
      created_at: r.created_at,
    };
  }

  private checkSchedule(interval: number | null | undefined, cron: string | null | undefined): void {
    if (interval && cron) throw new VigilError('E_VALIDATION', 'give either interval_s or cron, not both');
    if (cron) {
      try {
        new Cron(cron, { paused: true }).stop();
      } catch (error) {
        throw new VigilError('E_VALIDATION', `cron '${cron}' is not valid: ${(error as Error).message}`);
      }
    }
  }

  /** One saved query of the caller's account. */
  async getRow(p: Principal, idOrName: string) {
    const r = await this.services.store.db
      .selectFrom('saved_queries')
      .selectAll()
      .where('account_id', '=', p.accountId)
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
    if (!r) throw new VigilError('E_NOT_FOUND', `no saved query '${idOrName}' in this account`);
    return r;
  }

  /** One saved query. */
  async get(p: Principal, idOrName: string): Promise<SavedQueryDto> {
    return this.dto(await this.getRow(p, idOrName));
  }

  /** Every saved query of the account. */
  async list(p: Principal): Promise<SavedQueryDto[]> {
    return (
      await this.services.store.db
        .selectFrom('saved_queries')
        .selectAll()
        .where('account_id', '=', p.accountId)
        .orderBy('name')
        .execute()
    ).map((r) => this.dto(r));
  }

  /** Save a query (optionally scheduled); schedules are pushed to the targeted devices. */
  async create(
    ctx: Ctx,
    input: Required<Pick<SavedQueryInput, 'name' | 'sql' | 'targets'>> & SavedQueryInput,
  ): Promise<SavedQueryDto> {
    validateSql(input.sql, this.live.schema());
    this.checkSchedule(input.interval_s, input.cron);
    await resolveTargets(this.services.store, this.services.repos, ctx.principal.accountId, input.targets);
    const exists = await this.services.store.db
      .selectFrom('saved_queries')
      .select('id')
      .where('account_id', '=', ctx.principal.accountId)
      .where('name', '=', input.name)
      .executeTakeFirst();
    if (exists)
      throw new VigilError('E_ALREADY_EXISTS', `a saved query named '${input.name}' already exists`);
    const row = {
      id: newId(),
      account_id: ctx.principal.accountId,
      name: input.name,
      description: input.description ?? '',
      sql: input.sql,
      targets: JSON.stringify(input.targets),
      interval_s: input.interval_s ?? null,
      cron: input.cron ?? null,
      mode: input.mode ?? 'snapshot',
      enabled: input.enabled === false ? 0 : 1,
      last_run_at: null,
      created_by: ctx.principal.userId,
      created_at: nowIso(),
    };
    await this.services.store.db.insertInto('saved_queries').values(row).execute();
    await this.services.audit.record(ctx, 'query.save', `query:${row.id}`, 'success', {
      name: row.name,
      interval_s: row.interval_s,
      cron: row.cron,
      mode: row.mode,
    });
    await this.pushAll(ctx.principal.accountId);
    return this.dto(row);
  }

  /** Change a saved query; schedules are re-pushed. */
  async update(ctx: Ctx, idOrName: string, patch: SavedQueryInput): Promise<SavedQueryDto> {
    const r = await this.getRow(ctx.principal, idOrName);
    if (patch.sql) validateSql(patch.sql, this.live.schema());
    const interval = patch.interval_s === undefined ? r.interval_s : patch.interval_s;
    const cron = patch.cron === undefined ? r.cron : patch.cron;
    this.checkSchedule(interval, cron);
    if (patch.targets)
      await resolveTargets(this.services.store, this.services.repos, ctx.principal.accountId, patch.targets);
    await this.services.store.db
      .updateTable('saved_queries')
      .set({
        ...(patch.description === undefined ? {} : { description: patch.description }),
        ...(patch.sql ? { sql: patch.sql } : {}),
        ...(patch.targets ? { targets: JSON.stringify(patch.targets) } : {}),
        interval_s: interval,
        cron,
        ...(patch.mode ? { mode: patch.mode } : {}),
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled ? 1 : 0 }),
      })
      .where('id', '=', r.id)
      .execute();
    await this.services.audit.record(ctx, 'query.update', `query:${r.id}`, 'success', { ...patch });
    await this.pushAll(ctx.principal.accountId);
    return this.get(ctx.principal, r.id);
  }

  /** Delete a saved query and its stored results; schedules are re-pushed. */
  async delete(ctx: Ctx, idOrName: string): Promise<void> {
    const r = await this.getRow(ctx.principal, idOrName);
    await this.services.store.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('scheduled_results').where('query_id', '=', r.id).execute();
      await trx.deleteFrom('saved_queries').where('id', '=', r.id).execute();
    });
    await this.services.audit.record(ctx, 'query.delete', `query:${r.id}`, 'success', { name: r.name });
    await this.pushAll(ctx.principal.accountId);
  }

  /** Run a saved query now as a live query. */
  async run(ctx: Ctx, idOrName: string, timeoutS?: number) {
    const r = await this.getRow(ctx.principal, idOrName);
    return this.live.start(ctx, {
      sql: r.sql,
      targets: JSON.parse(r.targets) as TargetsT,
      ...(timeoutS ? { timeout_s: timeoutS } : {}),
      saved_query_id: r.id,
    });
  }

  /** Stored scheduled results, newest first, optionally for one device or since a time. */
  async results(p: Principal, idOrName: string, f: { device?: string; since?: string; limit?: number }) {
    const r = await this.getRow(p, idOrName);
    let q = this.services.store.db
      .selectFrom('scheduled_results')
      .innerJoin('devices', 'devices.id', 'scheduled_results.device_id')
      .select([
        'scheduled_results.id',
        'scheduled_results.device_id',
        'devices.hostname',
        'scheduled_results.at',
        'scheduled_results.columns',
        'scheduled_results.rows',
        'scheduled_results.added',
        'scheduled_results.removed',
      ])
      .where('scheduled_results.query_id', '=', r.id)
      .where('scheduled_results.account_id', '=', p.accountId);
    if (f.device) q = q.where('scheduled_results.device_id', '=', f.device);
    if (f.since) q = q.where('scheduled_results.at', '>=', f.since);
    const rows = await q
      .orderBy('scheduled_results.at', 'desc')
      .orderBy('scheduled_results.id', 'desc')
      .limit(f.limit ?? 100)
      .execute();
    return rows.map((x) => ({
      id: x.id,
      device_id: x.device_id,
      hostname: x.hostname,
      at: x.at,
      mode: r.mode,
      columns: JSON.parse(x.columns) as string[],
      rows: JSON.parse(x.rows) as unknown[][],
      added: x.added ? (JSON.parse(x.added) as unknown[][]) : null,
      removed: x.removed ? (JSON.parse(x.removed) as unknown[][]) : null,
    }));
  }

  /** The schedule that applies to one device. */
  async scheduleFor(accountId: string, deviceId: string): Promise<ScheduledQueryT[]> {
    const queries = await this.services.store.db
      .selectFrom('saved_queries')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('enabled', '=', 1)
      .execute();
    const out: ScheduledQueryT[] = [];
    for (const q of queries) {
      if (!q.interval_s && !q.cron) continue;
      // Asked per device (on each connect): never list every target of an all-devices query.
      const targeted = await targetsInclude(
        this.services.store,
        this.services.repos,
        accountId,
        JSON.parse(q.targets) as TargetsT,
        deviceId,
      ).catch(() => false);
      if (!targeted) continue;
      out.push({
        id: q.id,
        name: q.name,
        sql: q.sql,
        mode: q.mode as ScheduledQueryT['mode'],
        ...(q.interval_s ? { interval_s: q.interval_s } : {}),
        ...(q.cron ? { cron: q.cron } : {}),
      });
    }
    return out;
  }

  /**
   * Push one device its schedule (signed, for that agent only), unless the agent says on connect
   * that it holds this very schedule (`agentHolds`, its digest).
   */
  async pushSchedule(accountId: string, deviceId: string, agentHolds?: string): Promise<void> {
    const queries = await this.scheduleFor(accountId, deviceId);
    if (agentHolds !== undefined && agentHolds === scheduleDigest(queries)) return;
    await this.hub.sendToDevice(accountId, deviceId, 'schedule.set', { queries });
  }

  /** Re-push schedules to every connected device of the account. */
  async pushAll(accountId: string): Promise<void> {
    for (const deviceId of await this.services.repos.devices.idsOf(accountId)) {
      if (this.hub.isConnected(deviceId)) await this.pushSchedule(accountId, deviceId);
    }
  }
}
