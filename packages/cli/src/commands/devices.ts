/** `vigil devices list|show|tag|untag|metrics`. */

import {
  DEVICE_SORT_KEYS,
  DeviceListQuery,
  type DeviceT,
  Name as GroupName,
  type GroupT,
  Id,
  Tag,
  VigilError,
} from '@vigil/protocol';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { type Cell, formatDetails, formatTable, shortTime } from '../output.js';
import { checkArg, checkBody, ID_HINT, NAME_HINT, parseIntArg, TAG_HINT } from '../validate-args.js';
import { emit, withJson } from './common.js';
import { registerDeviceMetricsCommand } from './device-metrics.js';

interface ListFlags {
  status?: string;
  tag?: string;
  group?: string;
  filter?: string;
  search?: string;
  complianceBelow?: string;
  count?: boolean;
  sort?: string;
  order?: string;
  limit?: string;
  cursor?: string;
  all?: boolean;
  json?: boolean;
}

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** The device table's columns. */
export function deviceRows(devices: DeviceT[]): { headers: string[]; rows: Cell[][] } {
  return {
    headers: ['id', 'hostname', 'status', 'os', 'ip', 'last seen', 'compliance', 'tags'],
    rows: devices.map((d) => [
      d.id,
      d.hostname,
      d.status,
      `${d.os.name} ${d.os.version}`.trim(),
      d.ip,
      shortTime(d.last_seen_at),
      complianceText(d),
      d.tags,
    ]),
  };
}

/** A device's compliance score and failing checks (`80 % (1 failing)`), or null before any result. */
function complianceText(d: DeviceT): string | null {
  if (d.compliance === null || d.compliance === undefined) return null;
  return d.failing_checks > 0 ? `${d.compliance} % (${d.failing_checks} failing)` : `${d.compliance} %`;
}

/** The device list as a table, or a note when there is none. */
export function deviceTable(devices: DeviceT[]): string {
  if (devices.length === 0) return 'No devices.\n';
  const { headers, rows } = deviceRows(devices);
  return formatTable(headers, rows);
}

function deviceDetails(d: DeviceT): string {
  return formatDetails([
    ['ID', d.id],
    ['Hostname', d.hostname],
    ['Status', d.status],
    ['Mode', d.mode],
    ['OS', `${d.os.name} ${d.os.version} (${d.os.platform}, ${d.os.arch})`],
    ['Kernel', d.os.kernel],
    ['Agent', d.agent_version],
    ['IP', d.ip],
    ['Enrolled', shortTime(d.enrolled_at)],
    ['Last seen', shortTime(d.last_seen_at)],
    ['Tags', d.tags],
    ['Groups', d.groups.map((g) => g.name)],
    ['Compliance', complianceText(d)],
  ]);
}

function listQuery(flags: ListFlags): Record<string, string | number | undefined> {
  const query = {
    ...(flags.status ? { status: flags.status } : {}),
    ...(flags.tag ? { tag: flags.tag } : {}),
    ...(flags.filter ? { filter: flags.filter } : {}),
    ...(flags.search ? { q: flags.search } : {}),
    ...(flags.complianceBelow ? { compliance_below: parseScoreArg(flags.complianceBelow) } : {}),
    ...(flags.sort ? { sort: flags.sort } : {}),
    ...(flags.order ? { order: flags.order } : {}),
    ...(flags.limit ? { limit: parseIntArg(flags.limit, '--limit', 1, 500) } : {}),
    ...(flags.cursor ? { cursor: flags.cursor } : {}),
  };
  if (flags.tag) checkArg(Tag, flags.tag, '--tag', TAG_HINT);
  if (flags.sort && !(DEVICE_SORT_KEYS as readonly string[]).includes(flags.sort)) {
    throw new VigilError(
      'E_VALIDATION',
      `--sort must be one of ${DEVICE_SORT_KEYS.join(', ')}, got '${flags.sort}'`,
    );
  }
  return checkBody(DeviceListQuery, query);
}

/** A compliance score bound from --compliance-below: a number from 0 to 100. */
function parseScoreArg(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || n > 100)
    throw new VigilError('E_VALIDATION', `--compliance-below must be a number from 0 to 100, got '${value}'`);
  return n;
}

/** A device id argument, checked. */
export function deviceId(value: string): string {
  return checkArg(Id, value, 'device id', ID_HINT);
}

/** Tag arguments, checked against the protocol's tag pattern and de-duplicated. */
export function tagArgs(values: string[]): string[] {
  return [...new Set(values.map((t) => checkArg(Tag, t, 'tag', TAG_HINT)))];
}

/** Register the devices commands. */
export function registerDeviceCommands(program: Command, ctx: CliContext): void {
  const devices = program.command('devices').summary('list, show and tag devices');

  withJson(
    devices
      .command('list')
      .description('List devices, sorted by hostname; filters combine with AND.')
      .option('--status <STATUS>', 'online, offline, lost or revoked')
      .option('--tag <TAG>', 'only devices with this tag')
      .option('--group <GROUP>', 'only members of this group (name or id)')
      .option('--filter <EXPR>', "a device filter, e.g. \"os.platform = 'linux' AND tags CONTAINS 'prod'\"")
      .option('--search <TEXT>', 'hostname contains this text')
      .option(
        '--compliance-below <SCORE>',
        'only devices whose compliance score (severity-weighted % of passing checks) is below SCORE, e.g. 100 for every device failing a check',
      )
      .option('--count', 'print only how many devices match (one count query; no listing)')
      .option('--sort <KEY>', `sort by ${DEVICE_SORT_KEYS.join(', ')}`)
      .option('--order <ORDER>', 'asc or desc')
      .option('--limit <N>', 'devices per page (1-500, default 50)')
      .option('--cursor <CURSOR>', 'continue from a previous page')
      .option('--all', 'follow the cursors and list every matching device'),
  ).action(async (flags: ListFlags) => {
    const { group, ...rest } = flags;
    if (group) checkArg(GroupName, group, '--group', NAME_HINT);
    const query = listQuery(rest);
    const client = await ctx.connect();
    if (group) query.group = (await client.get<GroupT>(`/api/v1/groups/${encodeURIComponent(group)}`)).id;
    if (flags.count) {
      const { limit: _limit, cursor: _cursor, sort: _sort, order: _order, ...match } = query;
      const counted = await client.get<{ count: number }>('/api/v1/devices/count', match);
      emit(
        ctx,
        flags.json,
        counted,
        () => `${counted.count} ${counted.count === 1 ? 'device matches' : 'devices match'}\n`,
      );
      return;
    }
    let page = await client.get<Page<DeviceT>>('/api/v1/devices', query);
    if (flags.all) {
      const items = [...page.items];
      while (page.next_cursor) {
        page = await client.get<Page<DeviceT>>('/api/v1/devices', { ...query, cursor: page.next_cursor });
        items.push(...page.items);
      }
      page = { items, next_cursor: null };
    }
    emit(ctx, flags.json, page, () => deviceTable(page.items));
    if (!flags.json && page.next_cursor)
      ctx.io.err(`More devices: add --all, or --cursor ${page.next_cursor}\n`);
  });

  withJson(devices.command('show').description('Show one device.').argument('<ID>', 'device id')).action(
    async (id: string, flags: { json?: boolean }) => {
      const path = `/api/v1/devices/${encodeURIComponent(deviceId(id))}`;
      const client = await ctx.connect();
      const device = await client.get<DeviceT>(path);
      emit(ctx, flags.json, device, () => deviceDetails(device));
    },
  );

  withJson(
    devices
      .command('tag')
      .description('Add tags to a device.')
      .argument('<ID>', 'device id')
      .argument('<TAG...>', 'tags to add'),
  ).action(async (id: string, tags: string[], flags: { json?: boolean }) => {
    const path = `/api/v1/devices/${encodeURIComponent(deviceId(id))}/tags`;
    const body = { tags: tagArgs(tags) };
    const client = await ctx.connect();
    const device = await client.post<DeviceT>(path, body);
    emit(
      ctx,
      flags.json,
      device,
      () => `Tags of ${device.hostname} (${device.id}): ${device.tags.join(', ') || '-'}\n`,
    );
  });

  withJson(
    devices
      .command('untag')
      .description('Remove tags from a device.')
      .argument('<ID>', 'device id')
      .argument('<TAG...>', 'tags to remove'),
  ).action(async (id: string, tags: string[], flags: { json?: boolean }) => {
    const path = `/api/v1/devices/${encodeURIComponent(deviceId(id))}/tags`;
    const body = { tags: tagArgs(tags) };
    const client = await ctx.connect();
    const device = await client.delete<DeviceT>(path, body);
    emit(
      ctx,
      flags.json,
      device,
      () => `Tags of ${device.hostname} (${device.id}): ${device.tags.join(', ') || '-'}\n`,
    );
  });

  registerDeviceMetricsCommand(devices, ctx, deviceId);
}
