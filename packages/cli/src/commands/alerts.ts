/** `vigil alerts list|show|ack|resolve|suppress|suppressions|unsuppress`: the alert inbox and its suppression rules. */

import {
  AlertListQuery,
  type AlertSummaryT,
  type AlertT,
  CreateSuppressionBody,
  Id,
  type SuppressionT,
  VigilError,
} from '@vigil/protocol';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatDetails, formatJson, formatTable, shortTime } from '../output.js';
import { checkArg, checkBody, ID_HINT, parseIntArg } from '../validate-args.js';
import { emit, withJson } from './common.js';

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** A duration such as 90s, 15m, 2h or 7d, in seconds. */
export function parseDuration(value: string, flag: string): number {
  const m = /^(\d{1,7})([smhd])$/.exec(value.trim());
  if (!m)
    throw new VigilError(
      'E_VALIDATION',
      `${flag} must be a duration such as 90s, 15m, 2h or 7d, got '${value}'`,
    );
  return Number(m[1]) * (UNITS[m[2] as string] as number);
}

/** An ISO-8601 time from an option. */
export function isoTime(value: string, flag: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new VigilError(
      'E_VALIDATION',
      `${flag} must be an ISO-8601 time such as 2025-01-31T12:00:00Z, got '${value}'`,
    );
  return new Date(time).toISOString();
}

function alertPath(id: string, suffix = ''): string {
  return `/api/v1/alerts/${encodeURIComponent(checkArg(Id, id, 'alert id', ID_HINT))}${suffix}`;
}

function alertTable(alerts: AlertSummaryT[]): string {
  if (alerts.length === 0) return 'No alerts.\n';
  return formatTable(
    ['last seen', 'severity', 'status', 'count', 'device', 'rule', 'title', 'id'],
    alerts.map((a) => [
      shortTime(a.last_seen),
      a.severity,
      a.status,
      a.count,
      a.device?.hostname ?? '-',
      a.rule,
      a.title,
      a.id,
    ]),
  );
}

function alertDetails(a: AlertT): string {
  return (
    formatDetails([
      ['Title', a.title],
      ['ID', a.id],
      ['Rule', a.rule],
      ['Severity', a.severity],
      ['Status', a.status],
      ['Device', a.device ? `${a.device.hostname} (${a.device.id})` : '-'],
      ['First seen', shortTime(a.first_seen)],
      ['Last seen', shortTime(a.last_seen)],
      ['Count', a.count],
      ['Acknowledged', a.acknowledged_by ? `${a.acknowledged_by} at ${shortTime(a.acknowledged_at)}` : null],
      ['Resolved', a.resolved_by ? `${a.resolved_by} at ${shortTime(a.resolved_at)}` : null],
      ['Note', a.note],
      ['Suppressed by', a.suppression_id],
    ]) + `Context:\n${formatJson(a.context)}`
  );
}

function suppressionTable(items: SuppressionT[]): string {
  if (items.length === 0) return 'No suppression rules.\n';
  return formatTable(
    ['rule', 'scope', 'expires', 'active', 'hits', 'reason', 'id'],
    items.map((x) => [
      x.rule,
      x.device_id ? `device ${x.device_id}` : x.group ? `group ${x.group.name}` : 'all devices',
      shortTime(x.expires_at) ?? 'never',
      x.active ? 'yes' : 'no',
      x.hits,
      x.reason,
      x.id,
    ]),
  );
}

interface ListFlags {
  status?: string;
  severity?: string;
  minSeverity?: string;
  device?: string;
  group?: string;
  rule?: string;
  since?: string;
  until?: string;
  limit?: string;
  all?: boolean;
  json?: boolean;
}

/** Register the alerts commands. */
export function registerAlertCommands(program: Command, ctx: CliContext): void {
  const alerts = program
    .command('alerts')
    .summary('the alert inbox: list, show, acknowledge, resolve, suppress');

  withJson(
    alerts
      .command('list')
      .description('List alerts, newest activity first.')
      .option('--status <STATUS>', 'open, acknowledged, resolved or suppressed')
      .option('--severity <SEVERITY>', 'exactly this severity (info, low, medium, high, critical)')
      .option('--min-severity <SEVERITY>', 'this severity or worse')
      .option('--device <ID>', 'alerts of one device')
      .option('--group <NAME>', 'alerts of the devices in a group')
      .option('--rule <PATTERN>', 'a rule name or pattern with *, e.g. agent.*')
      .option('--since <TIME>', 'active at or after this ISO time')
      .option('--until <TIME>', 'first seen before this ISO time')
      .option('--limit <N>', 'alerts per page (1-500)')
      .option('--all', 'follow the cursors and list every alert'),
  ).action(async (flags: ListFlags) => {
    const query = checkBody(AlertListQuery, {
      ...(flags.status ? { status: flags.status } : {}),
      ...(flags.severity ? { severity: flags.severity } : {}),
      ...(flags.minSeverity ? { min_severity: flags.minSeverity } : {}),
      ...(flags.device ? { device: flags.device } : {}),
      ...(flags.group ? { group: flags.group } : {}),
      ...(flags.rule ? { rule: flags.rule } : {}),
      ...(flags.since ? { since: isoTime(flags.since, '--since') } : {}),
      ...(flags.until ? { until: isoTime(flags.until, '--until') } : {}),
      ...(flags.limit ? { limit: parseIntArg(flags.limit, '--limit', 1, 500) } : {}),
    });
    const client = await ctx.connect();
    const q = query as Record<string, string | number>;
    let page = await client.get<Page<AlertSummaryT>>('/api/v1/alerts', q);
    if (flags.all) {
      const items = [...page.items];
      for (let i = 0; i < 10_000 && page.next_cursor; i += 1) {
        page = await client.get<Page<AlertSummaryT>>('/api/v1/alerts', { ...q, cursor: page.next_cursor });
        items.push(...page.items);
      }
      page = { items, next_cursor: null };
    }
    emit(ctx, flags.json, page, () => alertTable(page.items));
    if (!flags.json && page.next_cursor) ctx.io.err('More alerts: add --all\n');
  });

  withJson(
    alerts.command('show').description('Show one alert with its full context.').argument('<ID>', 'alert id'),
  ).action(async (id: string, flags: { json?: boolean }) => {
    const path = alertPath(id);
    const client = await ctx.connect();
    const alert = await client.get<AlertT>(path);
    emit(ctx, flags.json, alert, () => alertDetails(alert));
  });

  for (const [verb, text, done] of [
    ['ack', 'Acknowledge an alert: someone is on it.', 'Acknowledged'],
    ['resolve', 'Resolve an alert; a new occurrence raises a new one.', 'Resolved'],
  ] as const) {
    withJson(
      alerts
        .command(verb)
        .description(text)
        .argument('<ID>', 'alert id')
        .option('--note <TEXT>', 'why, for the record'),
    ).action(async (id: string, flags: { note?: string; json?: boolean }) => {
      const path = alertPath(id, `/${verb}`);
      if (flags.note !== undefined && (flags.note.length < 1 || flags.note.length > 1024))
        throw new VigilError('E_VALIDATION', '--note must be 1 to 1024 characters');
      const client = await ctx.connect();
      const alert = await client.post<AlertT>(path, flags.note ? { note: flags.note } : {});
      emit(ctx, flags.json, alert, () => `${done} alert ${alert.id} (${alert.title}).\n`);
    });
  }

  withJson(
    alerts
      .command('suppress')
      .description(
        'Mute future alerts of a rule (pattern) on a device, a group or every device, until an expiry.',
      )
      .argument('<RULE>', 'a rule name or pattern with *, e.g. check.Linux.Ssh.*')
      .requiredOption('--reason <TEXT>', 'why, for the record')
      .option('--device <ID>', 'only on this device')
      .option('--group <NAME>', 'only on the devices of this group')
      .option('--for <DURATION>', 'for this long, e.g. 2h or 7d')
      .option('--until <TIME>', 'until this ISO time'),
  ).action(
    async (
      rule: string,
      flags: {
        reason: string;
        device?: string;
        group?: string;
        for?: string;
        until?: string;
        json?: boolean;
      },
    ) => {
      if (flags.for && flags.until) throw new VigilError('E_USAGE', 'give --for or --until, not both');
      const body = checkBody(CreateSuppressionBody, {
        rule,
        reason: flags.reason,
        ...(flags.device ? { device: flags.device } : {}),
        ...(flags.group ? { group: flags.group } : {}),
        ...(flags.for ? { duration_s: parseDuration(flags.for, '--for') } : {}),
        ...(flags.until ? { expires_at: isoTime(flags.until, '--until') } : {}),
      });
      const client = await ctx.connect();
      const s = await client.post<SuppressionT>('/api/v1/alerts/suppressions', body);
      emit(
        ctx,
        flags.json,
        s,
        () => `Suppressed ${s.rule} (${s.id}) until ${shortTime(s.expires_at) ?? 'deleted'}.\n`,
      );
    },
  );

  withJson(
    alerts
      .command('suppressions')
      .description('List suppression rules.')
      .option('--all', 'include expired ones'),
  ).action(async (flags: { all?: boolean; json?: boolean }) => {
    const client = await ctx.connect();
    const answer = await client.get<{ items: SuppressionT[] }>(
      '/api/v1/alerts/suppressions',
      flags.all ? { include_expired: 'true' } : {},
    );
    emit(ctx, flags.json, answer, () => suppressionTable(answer.items));
  });

  withJson(
    alerts
      .command('unsuppress')
      .description('Delete a suppression rule.')
      .argument('<ID>', 'suppression rule id'),
  ).action(async (id: string, flags: { json?: boolean }) => {
    const path = `/api/v1/alerts/suppressions/${encodeURIComponent(checkArg(Id, id, 'suppression id', ID_HINT))}`;
    const client = await ctx.connect();
    const answer = await client.delete<{ ok: true }>(path);
    emit(ctx, flags.json, answer, () => `Deleted suppression rule ${id}.\n`);
  });
}
