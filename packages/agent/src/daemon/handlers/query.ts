/** query.run: a live query, run in the worker-thread engine within the campaign's limits. */
import { validators } from '@vigil/protocol/agent-runtime';
import type { QueryRunner } from '../../sql/query-runner.js';
import type { Dispatcher } from '../dispatch.js';
import type { Outbox } from '../outbox.js';

/** Rows as arrays in column order, with BigInt made JSON-safe. */
export function rowsToArrays(
  columns: string[],
  rows: Array<Record<string, unknown>>,
): Array<Array<string | number | null>> {
  return rows.map((r) =>
    columns.map((c) => {
      const v = r[c];
      if (typeof v === 'bigint') return Number(v);
      if (v === undefined || v === null) return null;
      if (typeof v === 'string' || typeof v === 'number') return v;
      return String(v);
    }),
  );
}

/** Register query.run. */
export function registerQueryHandler(d: Dispatcher, runner: () => QueryRunner, outbox: Outbox): void {
  d.register('query.run', {
    validator: validators.QueryRunBody,
    reportsResult: false,
    run: async (body, ctx) => {
      const b = body as { sql: string; timeout_ms: number; max_rows: number };
      const started = Date.now();
      const base = { command_id: ctx.command.id, ...(ctx.campaign ? { campaign: ctx.campaign } : {}) };
      try {
        const r = await runner().run(b.sql, { timeoutMs: b.timeout_ms, maxRows: b.max_rows });
        outbox.enqueue('query.result', {
          ...base,
          status: 'done',
          columns: r.columns,
          rows: rowsToArrays(r.columns, r.rows as Array<Record<string, unknown>>),
          warnings: r.warnings.slice(0, 100).map((w) => w.slice(0, 2000)),
          truncated: r.truncated,
          duration_ms: Date.now() - started,
        });
      } catch (error) {
        const e = error as { code?: string; message?: string };
        outbox.enqueue('query.result', {
          ...base,
          status: 'error',
          columns: [],
          rows: [],
          warnings: [],
          truncated: false,
          duration_ms: Date.now() - started,
          error: { code: e.code ?? 'E_INTERNAL', message: (e.message ?? String(error)).slice(0, 4000) },
        });
      }
    },
  });
}
