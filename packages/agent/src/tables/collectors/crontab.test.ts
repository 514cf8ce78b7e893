import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { crontab } from './crontab.js';

describe('crontab', () => {
  it('parses system, cron.d and user crontabs', () => {
    const { rows, warnings } = collectAll(crontab, fixtureRoot('crontab'));
    expect(warnings).toEqual([]);
    expect(rows).toEqual([
      {
        event: '',
        minute: '17',
        hour: '*',
        day_of_month: '*',
        month: '*',
        day_of_week: '*',
        command: 'root cd / && run-parts --report /etc/cron.hourly',
        path: '/etc/crontab',
      },
      {
        event: '@reboot',
        minute: '',
        hour: '',
        day_of_month: '',
        month: '',
        day_of_week: '',
        command: 'root /usr/local/bin/backup --now',
        path: '/etc/cron.d/backup',
      },
      {
        event: '',
        minute: '*/5',
        hour: '*',
        day_of_month: '*',
        month: '*',
        day_of_week: '1-5',
        command: '/home/alice/bin/sync.sh >/dev/null 2>&1',
        path: '/var/spool/cron/crontabs/alice',
      },
    ]);
  });

  it.skipIf(!existsSync('/etc/crontab'))('reads the real /etc/crontab (cron installed)', () => {
    const { rows } = collectAll(crontab, '/');
    expect(rows.some((r) => r.path === '/etc/crontab')).toBe(true);
  });
});
