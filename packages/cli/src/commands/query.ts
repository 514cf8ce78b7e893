/**
 * `vigil query "SQL" --target …`: a live query. Rows print as agents answer (streamed from the
 * server), then a summary line; the exit code is non-zero if any target errored or timed out.
 * `vigil queries …` manages saved and scheduled queries.
 */
import { Name, VigilError } from '@vigil/protocol';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { formatTable } from '../output.js';
import { checkArg, NAME_HINT, parseIntArg } from '../validate-args.js';
import { emit, withJson } from './common.js';
import { collectTarget, parseDuration, parseTargets } from './targets.js';

interface RowsEvent {
  device_id: string;
  hostname: string;
  columns: string[];
  rows: unknown[][];
  warnings: string[];
  truncated: boolean;
}
interface StatusEvent {
  device_id: string;
  hostname: string;
  status: string;
  error?: string;
}
interface Summary {
  targeted: number;
  answered: number;
  errors: number;
  offline: number;
  timeout: number;
  rows: number;
  latency_p50_ms: number | null;
  latency_p99_ms: number | null;
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The one-line summary. */
export function summaryLine(s: Summary, ms: number): string {
  const lat =
    s.latency_p50_ms === null ? '' : `, latency p50 ${s.latency_p50_ms} ms p99 ${s.latency_p99_ms} ms`;
  return `${s.targeted} targeted: ${s.answered} answered, ${s.errors} errors, ${s.offline} offline, ${s.timeout} timed out; ${s.rows} rows in ${(ms / 1000).toFixed(1)} s${lat}\n`;
}

/** Register `query` and `queries`. */
export function registerQueryCommands(program: Command, ctx: CliContext): void {
  program
    .command('query')
    .summary('run SQL on devices now and stream the rows')
    .description('Run a live query on the targeted devices. Rows print as agents answer, then a summary.')
    .argument('<SQL>', 'a read-only SELECT over the agent tables (vigil agent shell lists them)')
    .option(
      '--target <TARGET>',
      'all, group:NAME, device:ID or filter:EXPR (repeat to add)',
      collectTarget,
      [],
    )
    .option('--timeout <DURATION>', 'how long agents have to answer (default 30s)', '30s')
    .option('--json', 'print JSON lines: one per device result, then the summary')
    .option('--csv', 'print CSV with device_id and hostname columns first')
    .action(
      async (sql: string, flags: { target: string[]; timeout: string; json?: boolean; csv?: boolean }) => {
        if (flags.json && flags.csv) throw new VigilError('E_USAGE', 'choose --json or --csv, not both');
        const body = {
          sql,
          targets: parseTargets(flags.target),
          timeout_s: parseDuration(flags.timeout, '--timeout'),
        };
        const client = await ctx.connect();
        const t0 = Date.now();
        const started = await client.post<{ id: string; targeted: number; online: number; offline: number }>(
          '/api/v1/queries/live',
          body,
        );
        if (!flags.json && !flags.csv)
          ctx.io.err(`query ${started.id}: ${started.targeted} targeted, ${started.online} online\n`);
        let csvHeader: string[] | null = null;
        let summary: Summary | undefined;
        await client.streamEvents(`/api/v1/queries/live/${started.id}/stream`, (event, data) => {
          if (event === 'rows') {
            const r = data as RowsEvent;
            if (flags.json) ctx.io.out(`${JSON.stringify({ type: 'rows', ...r })}\n`);
            else if (flags.csv) {
              if (!csvHeader) {
                csvHeader = r.columns;
                ctx.io.out(`${['device_id', 'hostname', ...r.columns].map(csvCell).join(',')}\n`);
              }
              const header = csvHeader;
              for (const row of r.rows)
                ctx.io.out(
                  `${[r.device_id, r.hostname, ...header.map((c) => row[r.columns.indexOf(c)] ?? null)].map(csvCell).join(',')}\n`,
                );
            } else if (r.rows.length > 0) {
              ctx.io.out(
                formatTable(
                  ['hostname', ...r.columns],
                  r.rows.map((row) => [r.hostname, ...(row as Array<string | number | null>)]),
                ),
              );
            } else ctx.io.out(`${r.hostname}: no rows\n`);
            for (const w of r.warnings.slice(0, 3)) ctx.io.err(`${r.hostname}: warning: ${w}\n`);
          } else if (event === 'status') {
            const st = data as StatusEvent;
            if (flags.json) ctx.io.out(`${JSON.stringify({ type: 'status', ...st })}\n`);
            else if (st.status !== 'done')
              ctx.io.err(
                `${st.hostname} (${st.device_id}): ${st.status}${st.error ? `: ${st.error}` : ''}\n`,
              );
          } else if (event === 'summary') {
            summary = (data as { summary: Summary }).summary;
            return true;
          }
          return undefined;
        });
        if (!summary) throw new VigilError('E_INTERNAL', 'the result stream ended without a summary');
        if (flags.json) ctx.io.out(`${JSON.stringify({ type: 'summary', ...summary })}\n`);
        else ctx.io.err(summaryLine(summary, Date.now() - t0));
        if (summary.errors + summary.timeout > 0)
          throw new VigilError(
            'E_QUERY_FAILED',
            `${summary.errors + summary.timeout} target(s) failed or timed out`,
          );
      },
    );

  const queries = program.command('queries').summary('saved and scheduled queries');
  withJson(queries.command('list').description('List saved queries.')).action(
    async (flags: { json?: boolean }) => {
      const client = await ctx.connect();
      const page = await client.get<{
        items: Array<{
          id: string;
          name: string;
          interval_s: number | null;
          cron: string | null;
          mode: string;
          enabled: boolean;
          sql: string;
        }>;
      }>('/api/v1/queries');
      emit(ctx, flags.json, page, () =>
        page.items.length === 0
          ? 'No saved queries.\n'
          : formatTable(
              ['name', 'schedule', 'mode', 'enabled', 'sql'],
              page.items.map((q) => [
                q.name,
                q.cron ?? (q.interval_s ? `every ${q.interval_s}s` : '-'),
                q.mode,
                q.enabled ? 'yes' : 'no',
                q.sql.length > 60 ? `${q.sql.slice(0, 57)}...` : q.sql,
              ]),
            ),
      );
    },
  );
  withJson(
    queries
      .command('save')
      .description('Save a query; with --interval or --cron it runs on the agents on that schedule.')
      .argument('<NAME>', 'query name')
      .argument('<SQL>', 'the SQL')
      .option(
        '--target <TARGET>',
        'all, group:NAME, device:ID or filter:EXPR (repeat to add)',
        collectTarget,
        [],
      )
      .option('--interval <DURATION>', 'run every DURATION (e.g. 1h)')
      .option('--cron <EXPR>', 'run on a cron schedule (5 fields)')
      .option('--differential', 'report only rows added/removed since the last run')
      .option('--description <TEXT>', 'what it is for'),
  ).action(
    async (
      name: string,
      sql: string,
      flags: {
        target: string[];
        interval?: string;
        cron?: string;
        differential?: boolean;
        description?: string;
        json?: boolean;
      },
    ) => {
      const body = {
        name: checkArg(Name, name, 'query name', NAME_HINT),
        sql,
        targets: parseTargets(flags.target.length ? flags.target : ['all']),
        ...(flags.interval ? { interval_s: parseDuration(flags.interval, '--interval') } : {}),
        ...(flags.cron ? { cron: flags.cron } : {}),
        mode: flags.differential ? 'differential' : 'snapshot',
        ...(flags.description ? { description: flags.description } : {}),
      };
      const client = await ctx.connect();
      const q = await client.post<{ id: string; name: string }>('/api/v1/queries', body);
      emit(ctx, flags.json, q, () => `Saved query ${q.name} (${q.id}).\n`);
    },
  );
  withJson(
    queries
      .command('delete')
      .description('Delete a saved query and its results.')
      .argument('<NAME>', 'query name or id'),
  ).action(async (name: string, flags: { json?: boolean }) => {
    const client = await ctx.connect();
    const r = await client.delete<{ ok: true }>(
      `/api/v1/queries/${encodeURIComponent(checkArg(Name, name, 'query name', NAME_HINT))}`,
    );
    emit(ctx, flags.json, r, () => `Deleted query ${name}.\n`);
  });
  withJson(
    queries
      .command('results')
      .description('Scheduled results of a saved query, newest first.')
      .argument('<NAME>', 'query name or id')
      .option('--device <ID>', 'one device')
      .option('--limit <N>', 'how many (default 20)'),
  ).action(async (name: string, flags: { device?: string; limit?: string; json?: boolean }) => {
    const client = await ctx.connect();
    const page = await client.get<{
      items: Array<{
        hostname: string;
        at: string;
        rows: unknown[][];
        added: unknown[][] | null;
        removed: unknown[][] | null;
      }>;
    }>(`/api/v1/queries/${encodeURIComponent(checkArg(Name, name, 'query name', NAME_HINT))}/results`, {
      ...(flags.device ? { device: flags.device } : {}),
      limit: flags.limit ? parseIntArg(flags.limit, '--limit', 1, 1000) : 20,
    });
    emit(ctx, flags.json, page, () =>
      page.items.length === 0
        ? 'No results yet.\n'
        : formatTable(
            ['hostname', 'at', 'rows', 'added', 'removed'],
            page.items.map((r) => [
              r.hostname,
              r.at,
              r.rows.length,
              r.added?.length ?? null,
              r.removed?.length ?? null,
            ]),
          ),
    );
  });
}
