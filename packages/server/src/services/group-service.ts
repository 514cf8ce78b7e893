/** Static and dynamic device groups. */
import {
  type CreateGroupBodyT,
  type DeviceT,
  type GroupT,
  type UpdateGroupBodyT,
  VigilError,
} from '@vigil/protocol';
import type { Store } from '../store/db.js';
import { newId, nowIso } from '../store/ids.js';
import type { GroupRow } from '../store/repos/groups.js';
import type { Repos } from '../store/repos/index.js';
import type { AuditService } from './audit-service.js';
import { matchingDeviceIds, parseDeviceFilter } from './device-filter/index.js';
import type { DeviceService } from './device-service.js';
import type { Principal, RequestContext } from './principal.js';

type Ctx = RequestContext & { principal: Principal };

/** Group use cases. */
export class GroupService {
  private readonly membershipListeners: Array<(accountId: string) => Promise<void>> = [];

  constructor(
    private readonly store: Store,
    private readonly repos: Repos,
    private readonly audit: AuditService,
    private readonly devices: DeviceService,
  ) {}

  /**
   * Call `listener` after a change that may move devices in or out of groups (members added or
   * removed, a group created, changed or deleted): what is configured per group (rule sets) follows.
   */
  onMembershipChanged(listener: (accountId: string) => Promise<void>): void {
    this.membershipListeners.push(listener);
  }

  private async membershipChanged(accountId: string): Promise<void> {
    for (const l of this.membershipListeners) await l(accountId).catch(() => {});
  }

  private dto(g: GroupRow, memberCount: number): GroupT {
    return {
      id: g.id,
      name: g.name,
      description: g.description,
      kind: g.kind as GroupT['kind'],
      rule: g.rule,
      member_count: memberCount,
      created_at: g.created_at,
    };
  }

  /** A group by id or name, or E_GROUP_NOT_FOUND. */
  async getRow(p: Principal, idOrName: string): Promise<GroupRow> {
    const g = await this.repos.groups.find(p.accountId, idOrName);
    if (!g) throw new VigilError('E_GROUP_NOT_FOUND', `no group '${idOrName}' in this account`);
    return g;
  }

  /** One group as the API shows it. */
  async get(p: Principal, idOrName: string): Promise<GroupT> {
    const g = await this.getRow(p, idOrName);
    return this.dto(g, await this.repos.groups.memberCount(g.id));
  }

  /** One page of groups. */
  async list(p: Principal, q: { q?: string; limit?: number; cursor?: string }) {
    const page = await this.repos.groups.list(p.accountId, {
      ...(q.q ? { q: q.q } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
      limit: q.limit ?? 50,
    });
    return { items: page.items.map((g) => this.dto(g, g.member_count)), next_cursor: page.next_cursor };
  }

  /** Create a group; a dynamic one needs a valid rule and gets its members at once. */
  async create(ctx: Ctx, input: CreateGroupBodyT): Promise<GroupT> {
    if (input.kind === 'dynamic' && !input.rule)
      throw new VigilError('E_VALIDATION', "a dynamic group needs a rule, e.g. os.platform = 'linux'");
    if (input.kind === 'static' && input.rule)
      throw new VigilError('E_VALIDATION', 'a static group has no rule; add members instead');
    if (input.rule) parseDeviceFilter(input.rule);
    if (await this.repos.groups.find(ctx.principal.accountId, input.name)) {
      throw new VigilError('E_ALREADY_EXISTS', `a group named '${input.name}' already exists`);
    }
    const row: GroupRow = {
      id: newId(),
      account_id: ctx.principal.accountId,
      name: input.name,
      description: input.description ?? '',
      kind: input.kind,
      rule: input.rule ?? null,
      created_at: nowIso(),
    };
    await this.repos.groups.create(row);
    if (row.kind === 'dynamic') await this.recompute(row);
    await this.audit.record(ctx, 'group.create', `group:${row.id}`, 'success', {
      name: row.name,
      kind: row.kind,
      rule: row.rule,
    });
    return this.get(ctx.principal, row.id);
  }

  /** Change a group's description or (dynamic only) rule. */
  async update(ctx: Ctx, idOrName: string, patch: UpdateGroupBodyT): Promise<GroupT> {
    const g = await this.getRow(ctx.principal, idOrName);
    if (patch.rule !== undefined) {
      if (g.kind !== 'dynamic') throw new VigilError('E_VALIDATION', 'only dynamic groups have a rule');
      parseDeviceFilter(patch.rule);
    }
    await this.repos.groups.update(g.id, {
      ...(patch.description === undefined ? {} : { description: patch.description }),
      ...(patch.rule ? { rule: patch.rule } : {}),
    });
    const updated = await this.getRow(ctx.principal, g.id);
    if (updated.kind === 'dynamic') await this.recompute(updated);
    await this.audit.record(ctx, 'group.update', `group:${g.id}`, 'success', { ...patch });
    if (updated.kind === 'dynamic') await this.membershipChanged(ctx.principal.accountId);
    return this.get(ctx.principal, g.id);
  }

  /** Delete a group (its devices stay). */
  async delete(ctx: Ctx, idOrName: string): Promise<void> {
    const g = await this.getRow(ctx.principal, idOrName);
    await this.repos.groups.delete(g.id);
    await this.audit.record(ctx, 'group.delete', `group:${g.id}`, 'success', { name: g.name });
    await this.refreshDependents(ctx.principal.accountId);
    await this.membershipChanged(ctx.principal.accountId);
  }

  /** Add devices to a static group. */
  async addMembers(ctx: Ctx, idOrName: string, deviceIds: string[]): Promise<GroupT> {
    const g = await this.staticGroup(ctx.principal, idOrName);
    await this.assertDevices(ctx.principal, deviceIds);
    await this.repos.groups.addMembers(ctx.principal.accountId, g.id, deviceIds);
    await this.devices.refreshDynamicGroups(ctx.principal.accountId, deviceIds);
    await this.audit.record(ctx, 'group.add_members', `group:${g.id}`, 'success', { devices: deviceIds });
    await this.membershipChanged(ctx.principal.accountId);
    return this.get(ctx.principal, g.id);
  }

  /** Remove devices from a static group. */
  async removeMembers(ctx: Ctx, idOrName: string, deviceIds: string[]): Promise<GroupT> {
    const g = await this.staticGroup(ctx.principal, idOrName);
    await this.repos.groups.removeMembers(g.id, deviceIds);
    await this.devices.refreshDynamicGroups(ctx.principal.accountId, deviceIds);
    await this.audit.record(ctx, 'group.remove_members', `group:${g.id}`, 'success', { devices: deviceIds });
    await this.membershipChanged(ctx.principal.accountId);
    return this.get(ctx.principal, g.id);
  }

  /** Devices of a group. */
  async members(p: Principal, idOrName: string): Promise<DeviceT[]> {
    const g = await this.getRow(p, idOrName);
    const ids = await this.repos.groups.memberIds(g.id);
    const rows = (await Promise.all(ids.map((id) => this.repos.devices.get(p.accountId, id)))).filter(
      (r) => r !== undefined,
    );
    return this.devices.toDtos(rows.sort((a, b) => a.hostname.localeCompare(b.hostname)));
  }

  /** Which devices a rule would match right now (live preview in the console). */
  async preview(p: Principal, rule: string): Promise<DeviceT[]> {
    const ids = await matchingDeviceIds(this.store.db, this.store.kind, p.accountId, parseDeviceFilter(rule));
    const rows = (
      await Promise.all(ids.slice(0, 500).map((id) => this.repos.devices.get(p.accountId, id)))
    ).filter((r) => r !== undefined);
    return this.devices.toDtos(rows);
  }

  private async staticGroup(p: Principal, idOrName: string): Promise<GroupRow> {
    const g = await this.getRow(p, idOrName);
    if (g.kind !== 'static')
      throw new VigilError('E_VALIDATION', `group '${g.name}' is dynamic: its members follow its rule`);
    return g;
  }

  private async assertDevices(p: Principal, ids: string[]): Promise<void> {
    for (const id of ids) {
      if (!(await this.repos.devices.get(p.accountId, id)))
        throw new VigilError('E_DEVICE_NOT_FOUND', `no device ${id} in this account`);
    }
  }

  private async recompute(g: GroupRow): Promise<void> {
    if (!g.rule) return;
    const ids = await matchingDeviceIds(
      this.store.db,
      this.store.kind,
      g.account_id,
      parseDeviceFilter(g.rule),
    );
    await this.repos.groups.replaceMembers(g.account_id, g.id, ids);
  }

  /** Dynamic rules may name static groups; after a static change re-evaluate them all. */
  private async refreshDependents(accountId: string): Promise<void> {
    for (const g of await this.repos.groups.dynamicGroups(accountId)) await this.recompute(g);
  }
}
