/** `vigil audit`: read the account's audit log, newest first. */

import { type AuditEntryT, AuditQuery, VigilError } from '@vigil/protocol';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatTable, shortTime } from '../output.js';
import { checkBody, parseIntArg } from '../validate-args.js';
import { emit, withJson } from './common.js';

interface AuditFlags {
  action?: string;
  actor?: string;
  target?: string;
  outcome?: string;
  since?: string;
  until?: string;
  limit?: string;
  json?: boolean;
}

function isoTime(value: string, flag: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new VigilError(
      'E_VALIDATION',
      `${flag} must be an ISO-8601 time such as 2025-01-31T12:00:00Z, got '${value}'`,
    );
  return new Date(time).toISOString();
}

function auditTable(entries: AuditEntryT[]): string {
  if (entries.length === 0) return 'No audit entries.\n';
  return formatTable(
    ['time', 'actor', 'action', 'target', 'outcome', 'source ip'],
    entries.map((e) => [
      shortTime(e.at),
      e.actor_name || e.actor,
      e.action,
      e.target,
      e.outcome,
      e.source_ip,
    ]),
  );
}

/** Register `vigil audit`. */
export function registerAuditCommand(program: Command, ctx: CliContext): void {
  withJson(
    program
      .command('audit')
      .summary('read the audit log')
      .description('Show who changed what, newest first.')
      .option('--action <ACTION>', 'e.g. group.create, or a prefix ending in % (device.%)')
      .option('--actor <ACTOR>', 'user:<id>, token:<id>, agent:<id> or system')
      .option('--target <TARGET>', 'e.g. device:<id>, group:<id>')
      .option('--outcome <OUTCOME>', 'success or failure')
      .option('--since <ISO>', 'entries at or after this time')
      .option('--until <ISO>', 'entries before this time')
      .option('--limit <N>', 'at most this many entries (1-500, default 50)'),
  ).action(async (flags: AuditFlags) => {
    const query = checkBody(AuditQuery, {
      ...(flags.action ? { action: flags.action } : {}),
      ...(flags.actor ? { actor: flags.actor } : {}),
      ...(flags.target ? { target: flags.target } : {}),
      ...(flags.outcome ? { outcome: flags.outcome } : {}),
      ...(flags.since ? { since: isoTime(flags.since, '--since') } : {}),
      ...(flags.until ? { until: isoTime(flags.until, '--until') } : {}),
      ...(flags.limit ? { limit: parseIntArg(flags.limit, '--limit', 1, 500) } : {}),
    });
    const client = await ctx.connect();
    const page = await client.get<{ items: AuditEntryT[]; next_cursor: string | null }>(
      '/api/v1/audit',
      query,
    );
    emit(ctx, flags.json, page, () => auditTable(page.items));
  });
}
