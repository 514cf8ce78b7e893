/** Devices: listing, details, tags; keeps dynamic group membership in step with facts and tags. */
import { type DeviceListQueryT, type DeviceMatchQueryT, type DeviceT, VigilError } from '@vigil/protocol';
import type { Store } from '../store/db.js';
import type { DeviceMatch, DeviceRow } from '../store/repos/devices.js';
import type { Repos } from '../store/repos/index.js';
import type { AuditService } from './audit-service.js';
import { deviceFilterExpression, matchingDeviceIds, parseDeviceFilter } from './device-filter/index.js';
import type { Principal, RequestContext } from './principal.js';

type Ctx = RequestContext & { principal: Principal };

/** Device use cases. */
export class DeviceService {
  constructor(
    private readonly store: Store,
    private readonly repos: Repos,
    private readonly audit: AuditService,
  ) {}

  /** Map stored rows to API devices, with their tags and groups. */
  async toDtos(rows: DeviceRow[]): Promise<DeviceT[]> {
    const ids = rows.map((r) => r.id);
    const [tags, groups, failing] = await Promise.all([
      this.repos.devices.tagsOf(ids),
      this.repos.devices.groupsOf(ids),
      this.repos.devices.failingChecksOf(ids),
    ]);
    return rows.map((r) => ({
      id: r.id,
      hostname: r.hostname,
      os: {
        platform: r.os_platform,
        name: r.os_name,
        version: r.os_version,
        kernel: r.os_kernel,
        arch: r.os_arch,
      },
      agent_version: r.agent_version,
      status: r.status as DeviceT['status'],
      mode: r.mode as DeviceT['mode'],
      ip: r.ip,
      enrolled_at: r.enrolled_at,
      last_seen_at: r.last_seen_at,
      tags: tags.get(r.id) ?? [],
      groups: groups.get(r.id) ?? [],
      facts: safeJson(r.facts),
      compliance: r.compliance_score === null ? null : Number(r.compliance_score),
      failing_checks: failing.get(r.id) ?? 0,
    }));
  }

  /** The repository's filters for the API's match parameters (the filter expression compiled). */
  private match(q: DeviceMatchQueryT): DeviceMatch {
    const where = q.filter ? deviceFilterExpression(parseDeviceFilter(q.filter), this.store.kind) : undefined;
    return {
      ...(q.status ? { status: q.status } : {}),
      ...(q.tag ? { tag: q.tag } : {}),
      ...(q.group ? { group: q.group } : {}),
      ...(q.q ? { q: q.q } : {}),
      ...(q.compliance_below !== undefined ? { complianceBelow: q.compliance_below } : {}),
      ...(where ? { where } : {}),
    };
  }

  /** One page of the caller's devices. */
  async list(p: Principal, q: DeviceListQueryT): Promise<{ items: DeviceT[]; next_cursor: string | null }> {
    const page = await this.repos.devices.list(p.accountId, {
      ...this.match(q),
      ...(q.cursor ? { cursor: q.cursor } : {}),
      sort: q.sort ?? 'hostname',
      order: q.order ?? 'asc',
      limit: q.limit ?? 50,
    });
    return { items: await this.toDtos(page.items), next_cursor: page.next_cursor };
  }

  /** How many of the caller's devices match the same parameters as the list. */
  async count(p: Principal, q: DeviceMatchQueryT): Promise<{ count: number }> {
    return { count: await this.repos.devices.count(p.accountId, this.match(q)) };
  }

  /** One device of the caller's account, or E_DEVICE_NOT_FOUND. */
  async getRow(p: Principal, id: string): Promise<DeviceRow> {
    const row = await this.repos.devices.get(p.accountId, id);
    if (!row) throw new VigilError('E_DEVICE_NOT_FOUND', `no device ${id} in this account`);
    return row;
  }

  /** One device as the API shows it. */
  async get(p: Principal, id: string): Promise<DeviceT> {
    return (await this.toDtos([await this.getRow(p, id)]))[0] as DeviceT;
  }

  /** Add tags to a device and update dynamic groups. */
  async tag(ctx: Ctx, id: string, tags: string[]): Promise<DeviceT> {
    await this.getRow(ctx.principal, id);
    await this.repos.devices.addTags(ctx.principal.accountId, id, tags);
    await this.refreshDynamicGroups(ctx.principal.accountId, [id]);
    await this.audit.record(ctx, 'device.tag', `device:${id}`, 'success', { tags });
    return this.get(ctx.principal, id);
  }

  /** Remove tags from a device and update dynamic groups. */
  async untag(ctx: Ctx, id: string, tags: string[]): Promise<DeviceT> {
    await this.getRow(ctx.principal, id);
    await this.repos.devices.removeTags(id, tags);
    await this.refreshDynamicGroups(ctx.principal.accountId, [id]);
    await this.audit.record(ctx, 'device.untag', `device:${id}`, 'success', { tags });
    return this.get(ctx.principal, id);
  }

  /**
   * Re-evaluate every dynamic group of the account for these devices. Called whenever facts,
   * tags or static membership of a device change, so membership is always current.
   */
  async refreshDynamicGroups(accountId: string, deviceIds: string[]): Promise<void> {
    for (const group of await this.repos.groups.dynamicGroups(accountId)) {
      if (!group.rule) continue;
      const matching = new Set(
        await matchingDeviceIds(
          this.store.db,
          this.store.kind,
          accountId,
          parseDeviceFilter(group.rule),
          deviceIds,
        ),
      );
      for (const id of deviceIds)
        await this.repos.groups.setMembership(accountId, group.id, id, matching.has(id));
    }
  }
}

function safeJson(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
