import { posix } from 'node:path';
import { listDir, readText } from '../fs-helpers.js';
import type { Row, TableCollector, TableContext } from '../types.js';

const MAX_INCLUDE_DEPTH = 8;

/** Joins backslash-continued lines and drops blank lines and comments (but keeps #include directives). */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = pending === '' ? raw : pending + raw.trimStart();
    if (line.endsWith('\\')) {
      pending = `${line.slice(0, -1).trimEnd()} `;
      continue;
    }
    pending = '';
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#') && !/^#include(dir)?\s/.test(trimmed)) continue;
    out.push(trimmed);
  }
  return out;
}

function* readSudoers(ctx: TableContext, file: string, depth: number, seen: Set<string>): Generator<Row> {
  if (depth > MAX_INCLUDE_DEPTH || seen.has(file)) {
    ctx.warn(`not following ${file}: include loop or depth above ${MAX_INCLUDE_DEPTH}`);
    return;
  }
  seen.add(file);
  const text = readText(ctx, file);
  if (text === null) {
    if (depth === 0) ctx.warn(`${file} not present`);
    return;
  }
  for (const line of logicalLines(text)) {
    const space = line.search(/\s/);
    const header = space === -1 ? line : line.slice(0, space);
    const details = space === -1 ? '' : line.slice(space).trim();
    yield { source: file, header, rule_details: details };
    const target = details.replace(/^"(.*)"$/, '$1');
    const resolved = target.startsWith('/') ? target : posix.join(posix.dirname(file), target);
    if (header === '#includedir' || header === '@includedir') {
      for (const name of listDir(ctx, resolved)) {
        // sudo skips editor backups and files with a dot in their name inside include dirs.
        if (name.endsWith('~') || name.includes('.')) continue;
        yield* readSudoers(ctx, posix.join(resolved, name), depth + 1, seen);
      }
    } else if (header === '#include' || header === '@include') {
      yield* readSudoers(ctx, resolved, depth + 1, seen);
    }
  }
}

/** sudoers: every rule of /etc/sudoers and the files it includes, header and details split. */
export const sudoers: TableCollector = {
  name: 'sudoers',
  *collect(ctx) {
    yield* readSudoers(ctx, '/etc/sudoers', 0, new Set());
  },
};
