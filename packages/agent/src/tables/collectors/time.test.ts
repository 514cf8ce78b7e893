import { describe, expect, it } from 'vitest';
import { collectAt, collectFixture } from './test-collect.js';
import { time } from './time.js';

describe('time', () => {
  it('renders the injected clock in UTC and names the local zone from /etc/timezone', () => {
    const { rows } = collectFixture(time, 'time', {}, new Date('2024-01-15T08:05:09Z'));
    expect(rows).toEqual([
      {
        weekday: 'Monday',
        year: 2024,
        month: 1,
        day: 15,
        hour: 8,
        minutes: 5,
        seconds: 9,
        timezone: 'UTC',
        local_timezone: 'CET',
        unix_time: 1705305909,
        timestamp: 'Mon Jan 15 08:05:09 2024 UTC',
        datetime: '2024-01-15T08:05:09Z',
        iso_8601: '2024-01-15T08:05:09Z',
        win_timestamp: 133497795090000000n,
      },
    ]);
  });

  it('follows daylight saving time for the local zone', () => {
    const { rows } = collectFixture(time, 'time', {}, new Date('2024-07-01T12:00:00Z'));
    expect(rows[0]?.local_timezone).toBe('CEST');
  });

  it('reads the real clock on this machine', () => {
    const { rows } = collectAt(time, '/');
    expect(Math.abs(Number(rows[0]?.unix_time) - Date.now() / 1000)).toBeLessThan(5);
    expect(rows[0]?.local_timezone).toMatch(/\S/);
  });
});
