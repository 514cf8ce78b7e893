import type { TableCollector } from '../types.js';
import { fields, readTrimmed } from './parse-helpers.js';

const PERIODS = ['1m', '5m', '15m'];

/** load_average: the 1, 5 and 15 minute load averages from /proc/loadavg. */
export const loadAverage: TableCollector = {
  name: 'load_average',
  *collect(ctx) {
    const text = readTrimmed(ctx, '/proc/loadavg');
    if (text === null) {
      ctx.warn('/proc/loadavg is not present');
      return;
    }
    const f = fields(text);
    for (const [i, period] of PERIODS.entries()) {
      const average = f[i];
      if (average !== undefined) yield { period, average };
    }
  },
};
