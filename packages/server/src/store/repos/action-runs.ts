/** Action runs, their per-device rows and each account's action settings. */
import type { Kysely, Selectable, Updateable } from 'kysely';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { nowIso } from '../ids.js';
import type { ActionRunDevicesTable, ActionRunsTable, Database } from '../schema.js';

export type ActionRunRow = Selectable<ActionRunsTable>;
export type ActionRunDeviceRow = Selectable<ActionRunDevicesTable>;

/** Filters and page for listing runs. */
export interface ActionRunFilter {
  status?: string;
  action?: string;
  requested_by?: string;
  limit: number;
  cursor?: string;
}

/** Which state a conditional update expects the row to be in (optimistic concurrency). */
export interface RunExpectation {
  status?: string;
  current_batch?: number;
}

/** SQL for action runs. Every state change is a conditional update, so two callers cannot both win. */
export class ActionRunsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Insert a run and its devices (one transaction). */
  async create(run: ActionRunRow, devices: ActionRunDeviceRow[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('action_runs').values(run).execute();
      for (let i = 0; i < devices.length; i += 200)
        await trx
          .insertInto('action_run_devices')
          .values(devices.slice(i, i + 200))
          .execute();
    });
  }

  /** One run of an account. */
  async get(accountId: string, id: string): Promise<ActionRunRow | undefined> {
    return this.db
      .selectFrom('action_runs')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** One run by id (engine internals; the id comes from the store). */
  async byId(id: string): Promise<ActionRunRow | undefined> {
    return this.db.selectFrom('action_runs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Newest first, filtered, one page. */
  async list(
    accountId: string,
    f: ActionRunFilter,
  ): Promise<{ items: ActionRunRow[]; next_cursor: string | null }> {
    let q = this.db.selectFrom('action_runs').selectAll().where('account_id', '=', accountId);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.action) q = q.where('action', '=', f.action);
    if (f.requested_by) q = q.where('requested_by', '=', f.requested_by);
    if (f.cursor) {
      const c = decodeCursor(f.cursor);
      const at = c.sortValue ?? '';
      q = q.where((eb) =>
        eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', c.id)])]),
      );
    }
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(f.limit + 1)
      .execute();
    const items = rows.slice(0, f.limit);
    const last = items[items.length - 1];
    return {
      items,
      next_cursor: rows.length > f.limit && last ? encodeCursor(last.created_at, last.id) : null,
    };
  }

  /**
   * Runs that included one device, newest first, with that device's row: one page, keyset-paginated
   * by (created_at, id) like the run list.
   */
  async forDevice(accountId: string, deviceId: string, page: { limit: number; cursor?: string }) {
    let q = this.db
      .selectFrom('action_run_devices as d')
      .innerJoin('action_runs as r', 'r.id', 'd.run_id')
      .select([
        'r.id as run_id',
        'r.action',
        'r.params as run_params',
        'r.dry_run',
        'r.status as run_status',
        'r.requested_by',
        'r.requested_by_name',
        'r.reason',
        'r.created_at',
        'd.params',
        'd.status',
        'd.result',
        'd.error',
        'd.sent_at',
        'd.finished_at',
      ])
      .where('d.device_id', '=', deviceId)
      .where('r.account_id', '=', accountId);
    if (page.cursor) {
      const c = decodeCursor(page.cursor);
      const at = c.sortValue ?? '';
      q = q.where((eb) =>
        eb.or([eb('r.created_at', '<', at), eb.and([eb('r.created_at', '=', at), eb('r.id', '<', c.id)])]),
      );
    }
    const rows = await q
      .orderBy('r.created_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(page.limit + 1)
      .execute();
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return {
      items,
      next_cursor: rows.length > page.limit && last ? encodeCursor(last.created_at, last.run_id) : null,
    };
  }

  /** Device counts by status for each of these runs. */
  async counts(runIds: string[]): Promise<Map<string, Record<string, number>>> {
    const out = new Map<string, Record<string, number>>(runIds.map((id) => [id, {}]));
    if (runIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('action_run_devices')
      .select(['run_id', 'status', (eb) => eb.fn.countAll<string>().as('n')])
      .where('run_id', 'in', runIds)
      .groupBy(['run_id', 'status'])
      .execute();
    for (const r of rows) {
      const c = out.get(r.run_id);
      if (c) c[r.status] = Number(r.n);
    }
    return out;
  }

  /** Every device of a run with its hostname, by batch then hostname. */
  async devices(runId: string) {
    return this.db
      .selectFrom('action_run_devices')
      .leftJoin('devices', 'devices.id', 'action_run_devices.device_id')
      .selectAll('action_run_devices')
      .select('devices.hostname')
      .where('action_run_devices.run_id', '=', runId)
      .orderBy('action_run_devices.batch')
      .orderBy('devices.hostname')
      .orderBy('action_run_devices.device_id')
      .execute();
  }

  /** Devices of a run, optionally one batch, in some statuses. */
  async devicesWhere(runId: string, statuses: string[], batch?: number): Promise<ActionRunDeviceRow[]> {
    let q = this.db
      .selectFrom('action_run_devices')
      .selectAll()
      .where('run_id', '=', runId)
      .where('status', 'in', statuses);
    if (batch !== undefined) q = q.where('batch', '=', batch);
    return q.orderBy('device_id').execute();
  }

  /** How many devices of a run (optionally one batch) are in these statuses. */
  async countWhere(runId: string, statuses: string[], batch?: number): Promise<number> {
    let q = this.db
      .selectFrom('action_run_devices')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('run_id', '=', runId)
      .where('status', 'in', statuses);
    if (batch !== undefined) q = q.where('batch', '=', batch);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  /** Change a run if it is still as expected; returns whether it changed. */
  async updateRun(
    id: string,
    patch: Updateable<ActionRunsTable>,
    expect: RunExpectation = {},
  ): Promise<boolean> {
    let q = this.db
      .updateTable('action_runs')
      .set({ ...patch, updated_at: nowIso() })
      .where('id', '=', id);
    if (expect.status !== undefined) q = q.where('status', '=', expect.status);
    if (expect.current_batch !== undefined) q = q.where('current_batch', '=', expect.current_batch);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Change one device of a run if it is still in one of `fromStatuses`; returns whether it changed. */
  async updateDevice(
    runId: string,
    deviceId: string,
    patch: Updateable<ActionRunDevicesTable>,
    fromStatuses: string[],
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('action_run_devices')
      .set({ ...patch, updated_at: nowIso() })
      .where('run_id', '=', runId)
      .where('device_id', '=', deviceId)
      .where('status', 'in', fromStatuses)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Move every device of a run in `fromStatuses` to a new status (cancel, stop). */
  async updateDevicesOfRun(
    runId: string,
    patch: Updateable<ActionRunDevicesTable>,
    fromStatuses: string[],
  ): Promise<number> {
    const r = await this.db
      .updateTable('action_run_devices')
      .set({ ...patch, updated_at: nowIso() })
      .where('run_id', '=', runId)
      .where('status', 'in', fromStatuses)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Devices whose status has a deadline that passed: sent (`deadline_at`) or queued (`queue_expires_at`). */
  async overdue(status: 'sent' | 'queued', now: string, limit = 1000): Promise<ActionRunDeviceRow[]> {
    const column = status === 'sent' ? 'deadline_at' : 'queue_expires_at';
    return this.db
      .selectFrom('action_run_devices')
      .selectAll()
      .where('status', '=', status)
      .where(column, '<', now)
      .limit(limit)
      .execute();
  }

  /** Ids of running runs, optionally only those whose next batch is due. */
  async runningIds(dueBy?: string): Promise<string[]> {
    let q = this.db.selectFrom('action_runs').select('id').where('status', '=', 'running');
    if (dueBy) q = q.where('next_batch_at', 'is not', null).where('next_batch_at', '<=', dueBy);
    return (await q.orderBy('created_at').execute()).map((r) => r.id);
  }

  /** Runs still waiting for approval that were requested before `cutoff`, oldest first. */
  async pendingApprovalBefore(cutoff: string, limit = 500): Promise<ActionRunRow[]> {
    return this.db
      .selectFrom('action_runs')
      .selectAll()
      .where('status', '=', 'pending_approval')
      .where('created_at', '<', cutoff)
      .orderBy('created_at')
      .limit(limit)
      .execute();
  }

  /** Queued rows of one device in running runs (sent when it reconnects). */
  async queuedFor(deviceId: string): Promise<ActionRunDeviceRow[]> {
    return this.db
      .selectFrom('action_run_devices')
      .innerJoin('action_runs', 'action_runs.id', 'action_run_devices.run_id')
      .selectAll('action_run_devices')
      .where('action_run_devices.device_id', '=', deviceId)
      .where('action_run_devices.status', '=', 'queued')
      .where('action_runs.status', '=', 'running')
      .orderBy('action_runs.created_at')
      .execute();
  }

  /** Whether the account requires a second admin's approval (default: yes). */
  async requireApproval(accountId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('action_settings')
      .select('require_approval')
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return row ? row.require_approval === 1 : true;
  }

  /** Set the account's approval rule. */
  async setRequireApproval(accountId: string, value: boolean, by: string): Promise<void> {
    const row = {
      account_id: accountId,
      require_approval: value ? 1 : 0,
      updated_by: by,
      updated_at: nowIso(),
    };
    await this.db
      .insertInto('action_settings')
      .values(row)
      .onConflict((oc) =>
        oc.column('account_id').doUpdateSet({
          require_approval: row.require_approval,
          updated_by: row.updated_by,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }
}
