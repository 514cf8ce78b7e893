/**
 * What osquery's SQL dialect has beyond stock SQLite, so users' existing queries run unchanged:
 * double-quoted string literals (osquery's SQLite falls back from identifier to string, as
 * SQLite does with SQLITE_DQS; better-sqlite3 builds without that fallback) and osquery's own
 * SQL functions (inet_aton, regex_match, split, …).
 */
import { createHash } from 'node:crypto';
import { isIPv4 } from 'node:net';
import type Database from 'better-sqlite3';
import { tokenize } from './tokenize.js';

/**
 * Rewrite `"text"` to `'text'` where it cannot be an identifier: not a column of a table the
 * query reads, not a table name, and not an alias the query defines. That is where SQLite's DQS
 * fallback would have read a string.
 */
export function rewriteDoubleQuotedStrings(
  sql: string,
  columnsByTable: ReadonlyMap<string, readonly string[]>,
): string {
  if (!sql.includes('"')) return sql;
  const tokens = tokenize(sql);
  const identifiers = new Set<string>(columnsByTable.keys());
  for (const t of tokens) {
    if (t.kind === 'ident' && !t.quoted)
      for (const c of columnsByTable.get(t.value.toLowerCase()) ?? []) identifiers.add(c.toLowerCase());
  }
  const aliases = new Set<string>();
  for (let i = 1; i < tokens.length; i++) {
    const prev = tokens[i - 1];
    const t = tokens[i];
    if (
      prev &&
      t &&
      prev.kind === 'ident' &&
      !prev.quoted &&
      prev.value.toUpperCase() === 'AS' &&
      t.kind === 'ident'
    )
      aliases.add(t.value.toLowerCase());
  }
  let out = '';
  let last = 0;
  for (const t of tokens) {
    if (t.kind !== 'ident' || !t.quoted || sql[t.start] !== '"') continue;
    const name = t.value.toLowerCase();
    if (identifiers.has(name) || aliases.has(name)) continue;
    out += `${sql.slice(last, t.start)}'${t.value.replaceAll("'", "''")}'`;
    last = t.end;
  }
  return last === 0 ? sql : out + sql.slice(last);
}

/** osquery's `inet_aton`: dotted IPv4 to its integer, NULL otherwise. */
export function inetAton(ip: unknown): number | null {
  if (typeof ip !== 'string' || !isIPv4(ip)) return null;
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

const regexCache = new Map<string, RegExp | null>();
function regex(pattern: string): RegExp | null {
  if (!regexCache.has(pattern)) {
    try {
      regexCache.set(pattern, new RegExp(pattern));
    } catch {
      regexCache.set(pattern, null);
    }
    if (regexCache.size > 1000) regexCache.delete(regexCache.keys().next().value as string);
  }
  return regexCache.get(pattern) ?? null;
}

/** Register osquery's extra SQL functions on a database. */
export function registerOsqueryFunctions(db: Database.Database): void {
  const det = { deterministic: true } as const;
  db.function('inet_aton', det, (ip: unknown) => inetAton(ip));
  db.function('regex_match', det, (text: unknown, pattern: unknown, index: unknown) => {
    if (typeof text !== 'string' || typeof pattern !== 'string') return null;
    const m = regex(pattern)?.exec(text);
    return m ? (m[Number(index ?? 0)] ?? null) : null;
  });
  db.function('regex_split', det, (text: unknown, pattern: unknown, index: unknown) => {
    if (typeof text !== 'string' || typeof pattern !== 'string') return null;
    const r = regex(pattern);
    return r ? (text.split(r).filter((p) => p.length > 0)[Number(index ?? 0)] ?? null) : null;
  });
  db.function('split', det, (text: unknown, tokens: unknown, index: unknown) => {
    if (typeof text !== 'string' || typeof tokens !== 'string' || tokens.length === 0) return null;
    const parts = text
      .split(new RegExp(`[${tokens.replace(/[\\\]^-]/g, '\\$&')}]`))
      .filter((p) => p.length > 0);
    return parts[Number(index ?? 0)] ?? null;
  });
  db.function('to_base64', det, (v: unknown) =>
    v === null || v === undefined ? null : Buffer.from(String(v)).toString('base64'),
  );
  db.function('from_base64', det, (v: unknown) =>
    typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : null,
  );
  db.function('conditional_to_base64', det, (v: unknown) => {
    if (typeof v !== 'string') return v ?? null;
    return /^[\x20-\x7e]*$/.test(v) ? v : Buffer.from(v).toString('base64');
  });
  for (const algo of ['md5', 'sha1', 'sha256'] as const) {
    db.function(algo, det, (v: unknown) =>
      v === null || v === undefined ? null : createHash(algo).update(String(v)).digest('hex'),
    );
  }
}

const JOIN_WORDS = new Set(['JOIN', 'FROM']);
const NOT_ALIAS = new Set([
  'USING',
  'ON',
  'JOIN',
  'LEFT',
  'RIGHT',
  'INNER',
  'CROSS',
  'NATURAL',
  'WHERE',
  'GROUP',
  'ORDER',
  'LIMIT',
  'AS',
]);

/**
 * Rewrite `left JOIN right USING (col)` to `left JOIN right ON left.col = right.col` when `col` is
 * a required column of `right` (file.path, hash.path …), so the join value reaches its
 * collector through the ordinary join-equality path. Only single-table left sides are rewritten.
 */
export function rewriteUsingJoins(
  sql: string,
  requiredByTable: ReadonlyMap<string, readonly string[]>,
): string {
  if (!/\busing\b/i.test(sql)) return sql;
  const tokens = tokenize(sql);
  const upper = (i: number) =>
    tokens[i]?.kind === 'ident' && !tokens[i]?.quoted ? (tokens[i]?.value.toUpperCase() ?? '') : '';
  const edits: Array<{ start: number; end: number; text: string }> = [];
  let left: { name: string; alias: string } | null = null;
  for (let i = 0; i < tokens.length; i++) {
    if (!JOIN_WORDS.has(upper(i)) || tokens[i + 1]?.kind !== 'ident') continue;
    const name = tokens[i + 1]?.value as string;
    let j = i + 2;
    if (upper(j) === 'AS') j += 1;
    const alias =
      tokens[j]?.kind === 'ident' && !NOT_ALIAS.has(upper(j)) ? (tokens[j]?.value as string) : name;
    if (alias !== name) j += 1;
    if (upper(i) === 'JOIN' && left && upper(j) === 'USING' && tokens[j + 1]?.value === '(') {
      const cols: string[] = [];
      let k = j + 2;
      while (tokens[k] && tokens[k]?.value !== ')') {
        if (tokens[k]?.kind === 'ident') cols.push(tokens[k]?.value as string);
        k += 1;
      }
      const required = requiredByTable.get(name.toLowerCase()) ?? [];
      if (tokens[k] && cols.length > 0 && cols.some((c) => required.includes(c))) {
        const on = cols.map((c) => `"${left?.alias}"."${c}" = "${alias}"."${c}"`).join(' AND ');
        edits.push({
          start: (tokens[j] as { start: number }).start,
          end: (tokens[k] as { end: number }).end,
          text: `ON ${on}`,
        });
      }
    }
    left = { name, alias };
  }
  let out = sql;
  for (const e of edits.reverse()) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
