import { readText } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { fields, toInt } from './parse-helpers.js';

const COLUMNS = [
  'user',
  'nice',
  'system',
  'idle',
  'iowait',
  'irq',
  'softirq',
  'steal',
  'guest',
  'guest_nice',
];

/** cpu_time: per-core tick counters from the cpuN lines of /proc/stat (the aggregate "cpu" line is left out). */
export const cpuTime: TableCollector = {
  name: 'cpu_time',
  *collect(ctx) {
    const text = readText(ctx, '/proc/stat');
    if (text === null) {
      ctx.warn('/proc/stat is not present');
      return;
    }
    for (const line of text.split('\n')) {
      const match = /^cpu(\d+)\s/.exec(line);
      if (!match) continue;
      const f = fields(line);
      const row: Record<string, number | null> = { core: Number(match[1]) };
      for (const [i, column] of COLUMNS.entries()) row[column] = toInt(f[i + 1]);
      yield row;
    }
  },
};
