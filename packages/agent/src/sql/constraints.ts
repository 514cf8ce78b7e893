import type { Cell, ConstraintHints } from '../tables/types.js';
import { columnUsage } from './column-usage.js';
import { isKeyword, isOp, type Token, tokenize } from './tokenize.js';

/** What the pre-pass needs to know about a table. */
export interface TableSpec {
  name: string;
  columns: string[];
  /** Alternatives: a reference to the table must constrain at least one of them. */
  required: string[];
  /** Columns whose literal constraints bound what the collector reads. */
  index: string[];
}

/** The result of scanning a query for constraints on declared tables. */
export interface QueryAnalysis {
  /** The SQL to prepare: the input plus the hidden-column equalities that carry join values. */
  sql: string;
  /** Per table: literal constraints that bound what its collector reads, and the columns used. */
  hints: Map<string, ConstraintHints>;
  /** Tables with a reference that constrains none of its required columns. */
  missingRequired: string[];
}

/** The hidden column that carries a join equality on a required column into the collector. */
export function hiddenParam(column: string): string {
  return `__eq_${column}`;
}

interface TableRef {
  table: TableSpec;
  alias: string;
  /** The SELECT the reference belongs to (see selectScopes). */
  scope: number;
  constrained: boolean;
  /** Columns with a constraint that is a plain top-level AND conjunct (safe to bound an index). */
  exact: Set<string>;
}

interface Found {
  refs: TableRef[];
  column: string;
  op: 'eq' | 'like';
  values: Cell[];
  exact: boolean;
}

const NOT_ALIAS = new Set(
  'WHERE JOIN ON USING LEFT RIGHT FULL INNER OUTER CROSS NATURAL GROUP ORDER LIMIT UNION EXCEPT INTERSECT HAVING WINDOW INDEXED NOT AS OFFSET RETURNING'.split(
    ' ',
  ),
);
const REGION_END = new Set(
  'WHERE ON USING JOIN LEFT RIGHT FULL INNER CROSS NATURAL GROUP ORDER LIMIT UNION EXCEPT INTERSECT WINDOW HAVING RETURNING'.split(
    ' ',
  ),
);
const BEFORE_OK = new Set(['WHERE', 'ON', 'AND', 'OR', 'HAVING', 'WHEN', 'THEN', 'ELSE']);
const AFTER_OK = new Set([...REGION_END, 'AND', 'OR', 'THEN', 'WHEN', 'ELSE', 'END']);

function keyword(token: Token | undefined): string | null {
  return token !== undefined && token.kind === 'ident' && !token.quoted ? token.value.toUpperCase() : null;
}

function boundaryBefore(token: Token | undefined): boolean {
  if (token === undefined || isOp(token, '(', ',')) return true;
  const k = keyword(token);
  return k !== null && BEFORE_OK.has(k);
}

function boundaryAfter(token: Token | undefined): boolean {
  if (token === undefined || isOp(token, ')', ',', ';')) return true;
  const k = keyword(token);
  return k !== null && AFTER_OK.has(k);
}

/** Reads a string or (optionally negative) number literal at i; returns its value and the next index. */
function literalAt(tokens: Token[], i: number): { value: Cell; next: number } | null {
  const t = tokens[i];
  if (t?.kind === 'string') return { value: t.value, next: i + 1 };
  const negative = isOp(t, '-');
  const n = negative ? tokens[i + 1] : t;
  if (n?.kind !== 'number') return null;
  const parsed = Number(n.value.replaceAll('_', ''));
  if (!Number.isFinite(parsed)) return null;
  return { value: negative ? -parsed : parsed, next: i + (negative ? 2 : 1) };
}

interface ColumnRef {
  qualifier: string | null;
  column: string;
  start: number;
  next: number;
}

/** Reads `column` or `qualifier.column` at i (not a function call, not part of a longer path). */
function columnRefAt(tokens: Token[], i: number): ColumnRef | null {
  const a = tokens[i];
  if (a?.kind !== 'ident' || isOp(tokens[i - 1], '.')) return null;
  if (isOp(tokens[i + 1], '.')) {
    const b = tokens[i + 2];
    if (b?.kind !== 'ident' || isOp(tokens[i + 3], '.', '(')) return null;
    return { qualifier: a.value.toLowerCase(), column: b.value.toLowerCase(), start: i, next: i + 3 };
  }
  if (isOp(tokens[i + 1], '(') || (!a.quoted && NOT_ALIAS.has(a.value.toUpperCase()))) return null;
  return { qualifier: null, column: a.value.toLowerCase(), start: i, next: i + 1 };
}

/** Per token: which SELECT it belongs to (a subquery or a compound member starts a new one). */
function selectScopes(tokens: Token[]): number[] {
  const stack: number[] = [];
  let current = 0;
  let next = 1;
  return tokens.map((t) => {
    if (isOp(t, '(')) stack.push(current);
    else if (isOp(t, ')')) current = stack.pop() ?? current;
    else if (isKeyword(t, 'SELECT')) current = next++;
    return current;
  });
}

function findRefs(tokens: Token[], specs: Map<string, TableSpec>, scopes: number[]): TableRef[] {
  const refs: TableRef[] = [];
  tokens.forEach((t, i) => {
    const spec = t.kind === 'ident' ? specs.get(t.value.toLowerCase()) : undefined;
    if (spec === undefined || isOp(tokens[i + 1], '.', '(')) return;
    const prev = tokens[i - 1];
    if (!(isKeyword(prev, 'FROM', 'JOIN') || isOp(prev, ','))) return;
    let alias = spec.name;
    const next = tokens[i + 1];
    if (isKeyword(next, 'AS') && tokens[i + 2]?.kind === 'ident') alias = (tokens[i + 2] as Token).value;
    else if (next?.kind === 'ident' && (next.quoted || !NOT_ALIAS.has(next.value.toUpperCase())))
      alias = next.value;
    refs.push({
      table: spec,
      alias: alias.toLowerCase(),
      scope: scopes[i] ?? 0,
      constrained: false,
      exact: new Set(),
    });
  });
  return refs;
}

/** The index of the parenthesis closing the one at `open`, or -1. */
function matchingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isOp(tokens[i], '(')) depth += 1;
    if (isOp(tokens[i], ')')) depth -= 1;
    if (depth === 0) return i;
  }
  return -1;
}

/** Per token: paren depth, and whether it sits where a constraint is a plain top-level AND conjunct. */
function conjunctMap(tokens: Token[]): { depth: number[]; plain: boolean[] } {
  const depth: number[] = [];
  const regionOf: number[] = [];
  const regions: { depth: number; tainted: boolean }[] = [];
  const open: number[] = [];
  let d = 0;
  tokens.forEach((t) => {
    if (isOp(t, '(')) d += 1;
    if (isOp(t, ')')) {
      d -= 1;
      while (open.length > 0 && (regions[open.at(-1) as number] as { depth: number }).depth > d) open.pop();
    }
    const k = keyword(t);
    const top = open.at(-1);
    if (top !== undefined && (regions[top] as { depth: number }).depth === d) {
      if ((k !== null && REGION_END.has(k)) || isOp(t, ',', ';')) open.pop();
    }
    if (k === 'WHERE' || k === 'ON') {
      regions.push({ depth: d, tainted: false });
      open.push(regions.length - 1);
    }
    depth.push(d);
    const current = open.at(-1);
    regionOf.push(current ?? -1);
    if (current !== undefined && (k === 'OR' || k === 'NOT' || k === 'CASE')) {
      const region = regions[current] as { depth: number; tainted: boolean };
      if (region.depth === d) region.tainted = true;
    }
  });
  const plain = tokens.map((_, i) => {
    const r = regionOf[i] as number;
    const region = regions[r];
    return region !== undefined && !region.tainted && region.depth === depth[i];
  });
  return { depth, plain };
}

/**
 * Scans a query for constraints on declared tables' required and index columns: literal
 * `=`, `IN (…)` and `LIKE` become collector hints; `a.col = b.col` on a required column also gets
 * a hidden-column equality so SQLite hands the joined value to the collector row by row.
 * SQLite still applies the real WHERE afterwards, so hints only bound what a collector reads.
 */
export function analyzeQuery(sql: string, specs: Map<string, TableSpec>): QueryAnalysis {
  const tokens = tokenize(sql);
  const scopes = selectScopes(tokens);
  const refs = findRefs(tokens, specs, scopes);
  const { plain } = conjunctMap(tokens);
  const found: Found[] = [];
  const edits: { start: number; end: number; text: string }[] = [];

  // An unqualified column belongs to the tables of its own SELECT when one of them has it.
  const resolveAt = (ref: ColumnRef, at: number): TableRef[] => {
    const matching = refs.filter(
      (r) => (ref.qualifier === null || r.alias === ref.qualifier) && r.table.columns.includes(ref.column),
    );
    if (ref.qualifier !== null) return matching;
    const local = matching.filter((r) => r.scope === scopes[at]);
    return local.length > 0 ? local : matching;
  };

  for (let i = 0; i < tokens.length; i++) {
    if (!boundaryBefore(tokens[i - 1])) continue;
    const col = columnRefAt(tokens, i);
    if (col !== null) {
      const targets = resolveAt(col, i);
      if (targets.length === 0) continue;
      const exact = plain[i] === true;
      const opTok = tokens[col.next];
      if (isOp(opTok, '=', '==')) {
        const lit = literalAt(tokens, col.next + 1);
        if (lit !== null && boundaryAfter(tokens[lit.next])) {
          found.push({ refs: targets, column: col.column, op: 'eq', values: [lit.value], exact });
          continue;
        }
        const other = columnRefAt(tokens, col.next + 1);
        if (other !== null && boundaryAfter(tokens[other.next])) {
          const joinTargets = [col, other].map((c) => ({ c, targets: resolveAt(c, c.start) }));
          const side = joinTargets.find(
            (s) => s.targets.length === 1 && (s.targets[0] as TableRef).table.required.includes(s.c.column),
          );
          if (side !== undefined) {
            const target = side.targets[0] as TableRef;
            const otherSide = side.c === col ? other : col;
            const start = (tokens[col.start] as Token).start;
            const end = (tokens[other.next - 1] as Token).end;
            const otherText = sql.slice(
              (tokens[otherSide.start] as Token).start,
              (tokens[otherSide.next - 1] as Token).end,
            );
            const qualified = `"${target.alias.replaceAll('"', '""')}"."${hiddenParam(side.c.column)}"`;
            edits.push({ start, end, text: `(${sql.slice(start, end)} AND ${qualified} = ${otherText})` });
            target.constrained = true;
          }
        }
        continue;
      }
      if (isKeyword(opTok, 'LIKE')) {
        const lit = tokens[col.next + 1];
        if (lit?.kind === 'string' && boundaryAfter(tokens[col.next + 2])) {
          found.push({ refs: targets, column: col.column, op: 'like', values: [lit.value], exact });
        }
        continue;
      }
      if (
        isKeyword(opTok, 'IN') &&
        isOp(tokens[col.next + 1], '(') &&
        isKeyword(tokens[col.next + 2], 'SELECT')
      ) {
        const close = matchingParen(tokens, col.next + 1);
        const target = targets.length === 1 ? (targets[0] as TableRef) : undefined;
        if (close !== -1 && target !== undefined && target.table.required.includes(col.column)) {
          const start = (tokens[col.start] as Token).start;
          const end = (tokens[close] as Token).end;
          const list = sql.slice((tokens[col.next + 1] as Token).start, end);
          const qualified = `"${target.alias.replaceAll('"', '""')}"."${hiddenParam(col.column)}"`;
          edits.push({ start, end, text: `(${sql.slice(start, end)} AND ${qualified} IN ${list})` });
          target.constrained = true;
        }
        continue;
      }
      if (isKeyword(opTok, 'IN') && isOp(tokens[col.next + 1], '(')) {
        const values: Cell[] = [];
        let j = col.next + 2;
        for (;;) {
          const lit = literalAt(tokens, j);
          if (lit === null) break;
          values.push(lit.value);
          j = lit.next;
          if (isOp(tokens[j], ',')) j += 1;
          else break;
        }
        if (values.length > 0 && isOp(tokens[j], ')') && boundaryAfter(tokens[j + 1])) {
          found.push({ refs: targets, column: col.column, op: 'eq', values, exact });
        }
      }
      continue;
    }
    const lit = literalAt(tokens, i);
    if (lit !== null && isOp(tokens[lit.next], '=', '==')) {
      const rhs = columnRefAt(tokens, lit.next + 1);
      if (rhs !== null && boundaryAfter(tokens[rhs.next])) {
        const targets = resolveAt(rhs, rhs.start);
        if (targets.length > 0) {
          found.push({
            refs: targets,
            column: rhs.column,
            op: 'eq',
            values: [lit.value],
            exact: plain[i] === true,
          });
        }
      }
    }
  }

  for (const f of found) {
    for (const ref of f.refs) {
      if (ref.table.required.includes(f.column)) ref.constrained = true;
      if (f.exact) ref.exact.add(f.column);
    }
  }

  const usage = columnUsage(tokens, specs);
  const hints = new Map<string, ConstraintHints>();
  for (const ref of refs) {
    if (hints.has(ref.table.name)) continue;
    const sameTable = refs.filter((r) => r.table === ref.table);
    const usable = (column: string) =>
      ref.table.required.includes(column) ||
      (ref.table.index.includes(column) && sameTable.every((r) => r.exact.has(column)));
    const h: ConstraintHints = { equals: new Map(), like: new Map() };
    const columns = usage.get(ref.table.name);
    if (columns !== undefined) h.columns = columns;
    for (const f of found) {
      if (!f.refs.some((r) => r.table === ref.table) || !usable(f.column)) continue;
      if (f.op === 'eq') h.equals.set(f.column, [...(h.equals.get(f.column) ?? []), ...f.values]);
      else h.like.set(f.column, [...(h.like.get(f.column) ?? []), ...(f.values as string[])]);
    }
    hints.set(ref.table.name, h);
  }

  const missingRequired = [
    ...new Set(refs.filter((r) => r.table.required.length > 0 && !r.constrained).map((r) => r.table.name)),
  ];
  let rewritten = sql;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    rewritten = rewritten.slice(0, edit.start) + edit.text + rewritten.slice(edit.end);
  }
  return { sql: rewritten, hints, missingRequired };
}
