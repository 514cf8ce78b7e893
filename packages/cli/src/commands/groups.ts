/** `vigil groups list|show|create|delete|add|remove|members|preview`. */

import { CreateGroupBody, type DeviceT, type GroupT, Name } from '@vigil/protocol';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatDetails, formatTable, shortTime } from '../output.js';
import { checkArg, checkBody, NAME_HINT, parseIntArg } from '../validate-args.js';
import { emit, withJson } from './common.js';
import { deviceId, deviceTable } from './devices.js';

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

function groupPath(name: string, suffix = ''): string {
  return `/api/v1/groups/${encodeURIComponent(checkArg(Name, name, 'group name', NAME_HINT))}${suffix}`;
}

function groupTable(groups: GroupT[]): string {
  if (groups.length === 0) return 'No groups.\n';
  return formatTable(
    ['name', 'kind', 'members', 'rule', 'description', 'id'],
    groups.map((g) => [g.name, g.kind, g.member_count, g.rule, g.description, g.id]),
  );
}

function groupDetails(g: GroupT): string {
  return formatDetails([
    ['Name', g.name],
    ['ID', g.id],
    ['Kind', g.kind],
    ['Rule', g.rule],
    ['Description', g.description],
    ['Members', g.member_count],
    ['Created', shortTime(g.created_at)],
  ]);
}

function memberIds(devices: string[]): string[] {
  return [...new Set(devices.map(deviceId))];
}

/** Register the groups commands. */
export function registerGroupCommands(program: Command, ctx: CliContext): void {
  const groups = program.command('groups').summary('static and dynamic device groups');

  withJson(
    groups
      .command('list')
      .description('List groups.')
      .option('--search <TEXT>', 'name contains this text')
      .option('--limit <N>', 'groups per page (1-500)')
      .option('--all', 'follow the cursors and list every group'),
  ).action(async (flags: { search?: string; limit?: string; all?: boolean; json?: boolean }) => {
    const query = {
      ...(flags.search ? { q: flags.search } : {}),
      ...(flags.limit ? { limit: parseIntArg(flags.limit, '--limit', 1, 500) } : {}),
    };
    const client = await ctx.connect();
    let page = await client.get<Page<GroupT>>('/api/v1/groups', query);
    if (flags.all) {
      const items = [...page.items];
      while (page.next_cursor) {
        page = await client.get<Page<GroupT>>('/api/v1/groups', { ...query, cursor: page.next_cursor });
        items.push(...page.items);
      }
      page = { items, next_cursor: null };
    }
    emit(ctx, flags.json, page, () => groupTable(page.items));
    if (!flags.json && page.next_cursor) ctx.io.err('More groups: add --all\n');
  });

  withJson(
    groups.command('show').description('Show one group.').argument('<NAME>', 'group name or id'),
  ).action(async (name: string, flags: { json?: boolean }) => {
    const path = groupPath(name);
    const client = await ctx.connect();
    const group = await client.get<GroupT>(path);
    emit(ctx, flags.json, group, () => groupDetails(group));
  });

  withJson(
    groups
      .command('create')
      .description(
        'Create a group: static (add members by hand) without --rule, dynamic (members follow the rule) with it.',
      )
      .argument('<NAME>', 'group name')
      .option('--rule <EXPR>', 'a device filter, e.g. "tags CONTAINS \'prod\'"')
      .option('--description <TEXT>', 'what the group is for'),
  ).action(async (name: string, flags: { rule?: string; description?: string; json?: boolean }) => {
    const body = checkBody(CreateGroupBody, {
      name,
      kind: flags.rule === undefined ? 'static' : 'dynamic',
      ...(flags.rule === undefined ? {} : { rule: flags.rule }),
      ...(flags.description === undefined ? {} : { description: flags.description }),
    });
    const client = await ctx.connect();
    const group = await client.post<GroupT>('/api/v1/groups', body);
    emit(
      ctx,
      flags.json,
      group,
      () => `Created ${group.kind} group ${group.name} (${group.id}) with ${group.member_count} member(s).\n`,
    );
  });

  withJson(
    groups
      .command('delete')
      .description('Delete a group (its devices stay).')
      .argument('<NAME>', 'group name or id'),
  ).action(async (name: string, flags: { json?: boolean }) => {
    const path = groupPath(name);
    const client = await ctx.connect();
    const answer = await client.delete<{ ok: true }>(path);
    emit(ctx, flags.json, answer, () => `Deleted group ${name}.\n`);
  });

  for (const [verb, method, text] of [
    ['add', 'post', 'Add devices to a static group.'],
    ['remove', 'delete', 'Remove devices from a static group.'],
  ] as const) {
    withJson(
      groups
        .command(verb)
        .description(text)
        .argument('<NAME>', 'group name or id')
        .argument('<DEVICE...>', 'device ids'),
    ).action(async (name: string, devices: string[], flags: { json?: boolean }) => {
      const path = groupPath(name, '/members');
      const body = { devices: memberIds(devices) };
      const client = await ctx.connect();
      const group =
        method === 'post' ? await client.post<GroupT>(path, body) : await client.delete<GroupT>(path, body);
      emit(ctx, flags.json, group, () => `Group ${group.name} now has ${group.member_count} member(s).\n`);
    });
  }

  withJson(
    groups
      .command('members')
      .description('List the devices in a group.')
      .argument('<NAME>', 'group name or id'),
  ).action(async (name: string, flags: { json?: boolean }) => {
    const path = groupPath(name, '/members');
    const client = await ctx.connect();
    const answer = await client.get<{ items: DeviceT[] }>(path);
    emit(ctx, flags.json, answer, () => deviceTable(answer.items));
  });

  withJson(
    groups
      .command('preview')
      .description('Show the devices a dynamic rule matches now.')
      .argument('<EXPR>', 'device filter'),
  ).action(async (rule: string, flags: { json?: boolean }) => {
    const client = await ctx.connect();
    const answer = await client.post<{ items: DeviceT[] }>('/api/v1/groups/preview', { rule });
    emit(ctx, flags.json, answer, () => deviceTable(answer.items));
  });
}
