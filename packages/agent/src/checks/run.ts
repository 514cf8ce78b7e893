/** Running one check against a query engine: pass, fail (with evidence) or error. */
import type { CheckDefinitionT } from '@vigil/protocol';
import type { QueryEngine } from '../sql/engine.js';
import { type CheckParams, effectiveParams, renderSql } from './render.js';

/** The outcome of one check on one device. */
export interface CheckOutcome {
  name: string;
  status: 'pass' | 'fail' | 'error';
  evidence: { columns: string[]; rows: unknown[][] };
  warnings: string[];
  error?: string;
  duration_ms: number;
}

const MAX_EVIDENCE_ROWS = 50;

function toArrays(columns: string[], rows: Array<Record<string, unknown>>): unknown[][] {
  return rows.slice(0, MAX_EVIDENCE_ROWS).map((r) =>
    columns.map((c) => {
      const v = r[c];
      return typeof v === 'bigint' ? Number(v) : (v ?? null);
    }),
  );
}

/** Run a check; a query error is an `error` outcome, never a crash. */
export function runCheck(
  engine: QueryEngine,
  check: CheckDefinitionT,
  overrides: CheckParams = {},
): CheckOutcome {
  const started = performance.now();
  try {
    const params = effectiveParams(check, overrides);
    const result = engine.run(renderSql(check, check.query, params), { maxRows: 10_000 });
    const hasRows = result.rows.length > 0;
    const passed = (check.pass_when ?? 'rows') === 'rows' ? hasRows : !hasRows;
    let evidence = { columns: [] as string[], rows: [] as unknown[][] };
    if (!passed) {
      if (check.evidence) {
        const ev = engine.run(renderSql(check, check.evidence, params), { maxRows: MAX_EVIDENCE_ROWS });
        evidence = {
          columns: ev.columns,
          rows: toArrays(ev.columns, ev.rows as Array<Record<string, unknown>>),
        };
      } else if (check.pass_when === 'no_rows') {
        evidence = {
          columns: result.columns,
          rows: toArrays(result.columns, result.rows as Array<Record<string, unknown>>),
        };
      }
    }
    return {
      name: check.name,
      status: passed ? 'pass' : 'fail',
      evidence,
      warnings: result.warnings.slice(0, 20),
      duration_ms: Math.round(performance.now() - started),
    };
  } catch (error) {
    return {
      name: check.name,
      status: 'error',
      evidence: { columns: [], rows: [] },
      warnings: [],
      error: (error as Error).message,
      duration_ms: Math.round(performance.now() - started),
    };
  }
}
