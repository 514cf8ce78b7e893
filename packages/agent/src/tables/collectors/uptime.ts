import type { TableCollector } from '../types.js';
import { readTrimmed } from './parse-helpers.js';

/** uptime: time since boot from /proc/uptime, split into days, hours, minutes and seconds. */
export const uptime: TableCollector = {
  name: 'uptime',
  *collect(ctx) {
    const text = readTrimmed(ctx, '/proc/uptime');
    const total = text === null ? Number.NaN : Math.floor(Number(text.split(/\s+/)[0]));
    if (!Number.isFinite(total)) {
      ctx.warn('cannot read the uptime from /proc/uptime');
      return;
    }
    yield {
      days: Math.floor(total / 86_400),
      hours: Math.floor((total % 86_400) / 3600),
      minutes: Math.floor((total % 3600) / 60),
      seconds: total % 60,
      total_seconds: total,
    };
  },
};
