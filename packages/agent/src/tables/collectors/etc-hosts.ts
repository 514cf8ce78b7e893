import { readText } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { contentLines, fields } from './parse-helpers.js';

/** etc_hosts: one row per /etc/hosts line, the host names joined by spaces. */
export const etcHosts: TableCollector = {
  name: 'etc_hosts',
  *collect(ctx) {
    const text = readText(ctx, '/etc/hosts');
    if (text === null) {
      ctx.warn('/etc/hosts is not present');
      return;
    }
    for (const line of contentLines(text)) {
      const [address, ...names] = fields(line);
      if (address !== undefined && names.length > 0) yield { address, hostnames: names.join(' ') };
    }
  },
};
