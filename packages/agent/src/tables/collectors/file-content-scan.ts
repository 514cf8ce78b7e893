import { VigilError } from '@vigil/protocol/agent-runtime';
import { pathsFromHints } from '../path-patterns.js';
import type { TableCollector } from '../types.js';
import { splitLines } from './file-lines.js';
import { readTextBounded } from './read-bounded.js';

function compile(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new VigilError(
      'E_INVALID_SQL',
      `file_content_scan pattern is not a valid regular expression: ${(err as Error).message}`,
    );
  }
}

/**
 * file_content_scan (Vigil's own; osquery's yara needs libyara): for each file the query names
 * and each `pattern = '<regex>'`, the number and line numbers of matching lines (0 when none).
 */
export const fileContentScan: TableCollector = {
  name: 'file_content_scan',
  *collect(ctx) {
    const patterns = (ctx.hints.equals.get('pattern') ?? []).filter(
      (p): p is string => typeof p === 'string',
    );
    if (patterns.length === 0) {
      throw new VigilError(
        'E_INVALID_SQL',
        "file_content_scan requires a pattern constraint (pattern = '<regex>')",
      );
    }
    const compiled = patterns.map((p) => ({ pattern: p, re: compile(p) }));
    for (const path of pathsFromHints(ctx)) {
      const text = readTextBounded(ctx, path);
      if (text === null) continue;
      const lines = splitLines(text);
      for (const { pattern, re } of compiled) {
        const numbers: number[] = [];
        lines.forEach((line, i) => {
          if (re.test(line)) numbers.push(i + 1);
        });
        yield { path, pattern, match_count: numbers.length, line_numbers: numbers.join(',') };
      }
    }
  },
};
