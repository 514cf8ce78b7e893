/**
 * The software library's rows (one per account and file), and the two questions the library asks
 * of action runs: which open software.deploy runs of an account use a file (it must not be
 * deleted under them), and whether a device has a sent software.deploy command for a file (only
 * then may it download it).
 */
import type { Kysely, Selectable } from 'kysely';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { Database, SoftwarePackagesTable } from '../schema.js';

export type SoftwarePackageRow = Selectable<SoftwarePackagesTable>;

/** The action whose runs reference library files. */
const DEPLOY = 'software.deploy';

/** The SHA-256 a run's (or a device's) stored parameters name, if any. */
function sha256Of(params: string | null): string | undefined {
  if (!params) return undefined;
  try {
    const parsed = JSON.parse(params) as { sha256?: unknown };
    return typeof parsed.sha256 === 'string' ? parsed.sha256.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** SQL for the software library. */
export class SoftwarePackagesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Insert a row unless the account already has this file; true when it was inserted. */
  async insertIfNew(row: SoftwarePackageRow): Promise<boolean> {
    const result = await this.db
      .insertInto('software_packages')
      .values(row)
      .onConflict((oc) => oc.columns(['account_id', 'sha256']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** One package of an account, by id or by SHA-256. */
  async find(accountId: string, ref: string): Promise<SoftwarePackageRow | undefined> {
    return this.db
      .selectFrom('software_packages')
      .selectAll()
      .where('account_id', '=', accountId)
      .where((eb) => eb.or([eb('id', '=', ref), eb('sha256', '=', ref.toLowerCase())]))
      .orderBy('id')
      .executeTakeFirst();
  }

  /** Newest first, optionally one package name, one page. */
  async list(
    accountId: string,
    f: { name?: string; limit: number; cursor?: string },
  ): Promise<{ items: SoftwarePackageRow[]; next_cursor: string | null }> {
    let q = this.db.selectFrom('software_packages').selectAll().where('account_id', '=', accountId);
    if (f.name) q = q.where('name', '=', f.name);
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

  /** Delete one row of an account; true when it existed. */
  async delete(accountId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('software_packages')
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Whether any account still has this file (else its bytes may go). */
  async anyWithSha256(sha256: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('software_packages')
      .select('id')
      .where('sha256', '=', sha256)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The account's software.deploy runs that wait for approval or still have devices to serve, naming this file. */
  async openDeployRuns(accountId: string, sha256: string): Promise<string[]> {
    const runs = await this.db
      .selectFrom('action_runs')
      .select(['id', 'params'])
      .where('account_id', '=', accountId)
      .where('action', '=', DEPLOY)
      .where('status', 'in', ['pending_approval', 'running'])
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('action_run_devices')
            .select('action_run_devices.run_id')
            .whereRef('action_run_devices.run_id', '=', 'action_runs.id')
            .where('action_run_devices.status', 'in', ['pending', 'queued', 'sent']),
        ),
      )
      .execute();
    return runs.filter((r) => sha256Of(r.params) === sha256).map((r) => r.id);
  }

  /**
   * The run through which this device may download this file now: a running software.deploy run
   * whose command for the device was sent and has not reported yet. Undefined when there is none.
   */
  async sentDeployRun(deviceId: string, sha256: string): Promise<string | undefined> {
    const rows = await this.db
      .selectFrom('action_run_devices')
      .innerJoin('action_runs', 'action_runs.id', 'action_run_devices.run_id')
      .select(['action_runs.id as run_id', 'action_runs.params as run_params', 'action_run_devices.params'])
      .where('action_run_devices.device_id', '=', deviceId)
      .where('action_run_devices.status', '=', 'sent')
      .where('action_runs.action', '=', DEPLOY)
      .where('action_runs.status', '=', 'running')
      .execute();
    return rows.find((r) => sha256Of(r.params ?? r.run_params) === sha256)?.run_id;
  }
}
