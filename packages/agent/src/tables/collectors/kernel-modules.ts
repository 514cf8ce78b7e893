import { readText } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { fields, toInt } from './parse-helpers.js';

/** kernel_modules: loaded modules as /proc/modules lists them. */
export const kernelModules: TableCollector = {
  name: 'kernel_modules',
  *collect(ctx) {
    const text = readText(ctx, '/proc/modules');
    if (text === null) {
      ctx.warn('/proc/modules is not present (kernel without loadable module support?)');
      return;
    }
    for (const line of text.split('\n')) {
      const f = fields(line);
      if (f.length < 5) continue;
      const usedBy = f[3] === '-' ? '' : (f[3] ?? '').replace(/,$/, '');
      yield {
        name: f[0] ?? null,
        size: toInt(f[1]),
        used_by: usedBy,
        status: f[4] ?? null,
        address: f[5] ?? null,
      };
    }
  },
};
