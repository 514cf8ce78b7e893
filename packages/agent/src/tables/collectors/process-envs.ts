import { readText } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { pidsToRead } from './proc-common.js';

/** process_envs: /proc/<pid>/environ split into KEY=value pairs. */
export const processEnvs: TableCollector = {
  name: 'process_envs',
  *collect(ctx) {
    for (const pid of pidsToRead(ctx)) {
      const text = readText(ctx, `/proc/${pid}/environ`);
      if (text === null) continue;
      for (const entry of text.split('\0')) {
        const eq = entry.indexOf('=');
        if (eq > 0) yield { pid, key: entry.slice(0, eq), value: entry.slice(eq + 1) };
      }
    }
  },
};
