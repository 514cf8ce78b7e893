/** Suppression rules: create, list, change and delete; every change audited. */

import {
  type CreateSuppressionBodyT,
  type SuppressionT,
  type UpdateSuppressionBodyT,
  VigilError,
} from '@vigil/protocol';
import type { Kysely } from 'kysely';
import { newId, nowIso } from '../../store/ids.js';
import { AlertSuppressionsRepo, type SuppressionRow } from '../../store/repos/alert-suppressions.js';
import { groupRef } from '../../store/repos/groups.js';
import type { Database } from '../../store/schema.js';
import type { AuditService } from '../audit-service.js';
import type { DeviceService } from '../device-service.js';
import type { GroupService } from '../group-service.js';
import type { Principal, RequestContext } from '../principal.js';

type Ctx = RequestContext & { principal: Principal };

/** Suppression use cases. */
export class SuppressionService {
  private readonly repo: AlertSuppressionsRepo;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditService,
    private readonly devices: DeviceService,
    private readonly groups: GroupService,
  ) {
    this.repo = new AlertSuppressionsRepo(db);
  }

  private async dto(r: SuppressionRow, now = nowIso()): Promise<SuppressionT> {
    const group = await groupRef(this.db, r.group_id);
    return {
      id: r.id,
      rule: r.rule,
      device_id: r.device_id,
      group,
      reason: r.reason,
      expires_at: r.expires_at,
      active: r.expires_at === null || r.expires_at > now,
      hits: Number(r.hits),
      created_by: r.created_by,
      created_at: r.created_at,
    };
  }

  private async row(p: Principal, id: string): Promise<SuppressionRow> {
    const r = await this.repo.byId(p.accountId, id);
    if (!r) throw new VigilError('E_SUPPRESSION_NOT_FOUND', `no suppression rule ${id} in this account`);
    return r;
  }

  /** The rules of the account (active ones unless asked for all). */
  async list(p: Principal, includeExpired = false): Promise<SuppressionT[]> {
    const now = nowIso();
    return Promise.all((await this.repo.list(p.accountId, now, includeExpired)).map((r) => this.dto(r, now)));
  }

  /** One rule. */
  async get(p: Principal, id: string): Promise<SuppressionT> {
    return this.dto(await this.row(p, id));
  }

  /** Mute future alerts of a rule (pattern) on a device, a group or everywhere, until an expiry. */
  async create(ctx: Ctx, input: CreateSuppressionBodyT): Promise<SuppressionT> {
    if (input.device && input.group)
      throw new VigilError(
        'E_VALIDATION',
        'name a device or a group, not both (or neither for every device)',
      );
    if (input.expires_at && input.duration_s)
      throw new VigilError('E_VALIDATION', "give 'expires_at' or 'duration_s', not both");
    const now = new Date();
    const expires = input.expires_at
      ? new Date(input.expires_at).toISOString()
      : input.duration_s
        ? new Date(now.getTime() + input.duration_s * 1000).toISOString()
        : null;
    if (expires && expires <= now.toISOString())
      throw new VigilError('E_VALIDATION', `'expires_at' (${expires}) is in the past; pick a future time`);
    const device = input.device ? await this.devices.getRow(ctx.principal, input.device) : undefined;
    const group = input.group ? await this.groups.getRow(ctx.principal, input.group) : undefined;
    const row = {
      id: newId(),
      account_id: ctx.principal.accountId,
      rule: input.rule,
      device_id: device?.id ?? null,
      group_id: group?.id ?? null,
      reason: input.reason,
      expires_at: expires,
      created_by: ctx.principal.email,
      created_at: nowIso(now),
    };
    await this.repo.insert(row);
    await this.audit.record(ctx, 'alert_suppression.create', `suppression:${row.id}`, 'success', {
      rule: row.rule,
      device_id: row.device_id,
      group_id: row.group_id,
      expires_at: row.expires_at,
      reason: row.reason,
    });
    return this.get(ctx.principal, row.id);
  }

  /** Change a rule's reason or expiry (null: never expires; a past time ends it now). */
  async update(ctx: Ctx, id: string, patch: UpdateSuppressionBodyT): Promise<SuppressionT> {
    const r = await this.row(ctx.principal, id);
    const change: { reason?: string; expires_at?: string | null } = {};
    if (patch.reason !== undefined) change.reason = patch.reason;
    if (patch.expires_at !== undefined)
      change.expires_at = patch.expires_at === null ? null : new Date(patch.expires_at).toISOString();
    await this.repo.update(r.id, change);
    await this.audit.record(ctx, 'alert_suppression.update', `suppression:${r.id}`, 'success', { ...change });
    return this.get(ctx.principal, r.id);
  }

  /** Delete a rule; alerts it already muted stay suppressed. */
  async delete(ctx: Ctx, id: string): Promise<void> {
    const r = await this.row(ctx.principal, id);
    await this.repo.delete(r.id);
    await this.audit.record(ctx, 'alert_suppression.delete', `suppression:${r.id}`, 'success', {
      rule: r.rule,
    });
  }
}
