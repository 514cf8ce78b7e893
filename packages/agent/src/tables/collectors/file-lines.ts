import { pathsFromHints } from '../path-patterns.js';
import type { TableCollector } from '../types.js';
import { readTextBounded } from './read-bounded.js';

/** Splits text into lines without their endings (a final newline does not add an empty line). */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** file_lines: one row per line of each regular file the query names (size-bounded). */
export const fileLines: TableCollector = {
  name: 'file_lines',
  *collect(ctx) {
    for (const path of pathsFromHints(ctx)) {
      const text = readTextBounded(ctx, path);
      if (text === null) continue;
      for (const line of splitLines(text)) yield { path, line };
    }
  },
};
