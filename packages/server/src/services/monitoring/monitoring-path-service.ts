/**
 * Watch paths and ignore patterns of the agents' file monitor: list (viewers), add and remove
 * (admins), every change audited and pushed to the connected devices with their rule sets. A path
 * is checked here with the same rules the agent applies again when it arrives (absolute,
 * normalised, no NUL or control characters, bounded length), and an account holds at most
 * MAX_WATCH_PATHS of each kind, so no device's set can exceed what an agent accepts.
 */

import {
  type CreateMonitoringPathBodyT,
  ignorePatternProblem,
  MAX_IGNORE_PATTERNS,
  MAX_WATCH_PATHS,
  type MonitoringPathDtoT,
  VigilError,
  watchPathProblem,
} from '@vigil/protocol';
import { newId, nowIso } from '../../store/ids.js';
import { groupRef } from '../../store/repos/groups.js';
import type { MonitoringPathRow } from '../../store/repos/monitoring-paths.js';
import type { Services } from '../index.js';
import type { Principal, RequestContext } from '../principal.js';
import type { MonitoringService } from './monitoring-service.js';

type Ctx = RequestContext & { principal: Principal };

/** Monitoring path use cases. */
export class MonitoringPathService {
  constructor(
    private readonly services: Services,
    private readonly monitoring: MonitoringService,
  ) {}

  private async dto(r: MonitoringPathRow): Promise<MonitoringPathDtoT> {
    const group = await groupRef(this.services.store.db, r.group_id);
    return {
      id: r.id,
      kind: r.kind as MonitoringPathDtoT['kind'],
      path: r.path,
      group,
      created_by: r.created_by,
      created_at: r.created_at,
    };
  }

  /** The account's watch paths and ignore patterns. */
  async list(p: Principal): Promise<MonitoringPathDtoT[]> {
    return Promise.all((await this.monitoring.paths.list(p.accountId)).map((r) => this.dto(r)));
  }

  /** Check and store one, audit it and push the rule sets that change. */
  async create(ctx: Ctx, input: CreateMonitoringPathBodyT): Promise<MonitoringPathDtoT> {
    const problem = input.kind === 'watch' ? watchPathProblem(input.path) : ignorePatternProblem(input.path);
    if (problem) throw new VigilError('E_VALIDATION', problem);
    const accountId = ctx.principal.accountId;
    const group = input.group ? await this.services.groups.getRow(ctx.principal, input.group) : undefined;
    const existing = (await this.monitoring.paths.list(accountId)).filter((r) => r.kind === input.kind);
    if (existing.some((r) => r.path === input.path && r.group_id === (group?.id ?? null)))
      throw new VigilError(
        'E_ALREADY_EXISTS',
        `'${input.path}' is already a${input.kind === 'watch' ? ' watch path' : 'n ignore pattern'} ${group ? `of group ${group.name}` : 'of the account'}`,
      );
    const max = input.kind === 'watch' ? MAX_WATCH_PATHS : MAX_IGNORE_PATTERNS;
    if (existing.length >= max)
      throw new VigilError(
        'E_MONITORING_PATHS_LIMIT',
        `an account holds at most ${max} ${input.kind === 'watch' ? 'watch paths' : 'ignore patterns'}: remove one first (vigil monitoring paths list)`,
      );
    const row: MonitoringPathRow = {
      id: newId(),
      account_id: accountId,
      kind: input.kind,
      path: input.path,
      group_id: group?.id ?? null,
      created_by: ctx.principal.email,
      created_at: nowIso(),
    };
    await this.monitoring.paths.insert(row);
    await this.services.audit.record(ctx, 'monitoring_path.create', `monitoring_path:${row.id}`, 'success', {
      kind: row.kind,
      path: row.path,
      group_id: row.group_id,
    });
    await this.push(accountId);
    return this.dto(row);
  }

  /** Delete one, audit it and push the change. */
  async delete(ctx: Ctx, id: string): Promise<void> {
    const r = await this.monitoring.paths.byId(ctx.principal.accountId, id);
    if (!r)
      throw new VigilError(
        'E_MONITORING_PATH_NOT_FOUND',
        `no watch path or ignore pattern ${id} in this account: vigil monitoring paths list shows them`,
      );
    await this.monitoring.paths.delete(r.id);
    await this.services.audit.record(ctx, 'monitoring_path.delete', `monitoring_path:${r.id}`, 'success', {
      kind: r.kind,
      path: r.path,
      group_id: r.group_id,
    });
    await this.push(ctx.principal.accountId);
  }

  private async push(accountId: string): Promise<void> {
    await this.monitoring
      .pushAll(accountId)
      .catch((e: unknown) => this.services.log.error({ err: e }, 'pushing rule sets failed'));
  }
}
