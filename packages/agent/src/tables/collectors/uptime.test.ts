import { uptime as osUptime } from 'node:os';
import { describe, expect, it } from 'vitest';
import { collectAt, collectFixture } from './test-collect.js';
import { uptime } from './uptime.js';

describe('uptime', () => {
  it('splits /proc/uptime into days, hours, minutes and seconds', () => {
    const { rows } = collectFixture(uptime, 'uptime');
    expect(rows).toEqual([{ days: 4, hours: 3, minutes: 2, seconds: 1, total_seconds: 356521 }]);
  });

  it('agrees with the kernel uptime Node reports on this machine', () => {
    const { rows } = collectAt(uptime, '/');
    expect(Math.abs(Number(rows[0]?.total_seconds) - osUptime())).toBeLessThan(5);
  });
});
