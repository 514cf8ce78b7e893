import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { loggedInUsers } from './logged-in-users.js';
import { UTMP_RECORD_SIZE } from './utmp.js';

const utmpPath = ['/var/run/utmp', '/run/utmp'].find((p) => existsSync(p));

describe('logged_in_users', () => {
  it('decodes binary utmp records, skipping empty and pid-1 entries', () => {
    const { rows, warnings } = collectAll(loggedInUsers, fixtureRoot('logged_in_users'));
    expect(warnings).toEqual([]);
    expect(rows).toEqual([
      {
        type: 'boot_time',
        user: 'reboot',
        tty: '~',
        host: '6.1.0',
        time: 1700000000,
        pid: 0,
        sid: '',
        registry_hive: '',
      },
      {
        type: 'login',
        user: 'LOGIN',
        tty: 'tty1',
        host: '',
        time: 1700000002,
        pid: 600,
        sid: '',
        registry_hive: '',
      },
      {
        type: 'user',
        user: 'alice',
        tty: 'pts/0',
        host: '10.0.0.9',
        time: 1700000100,
        pid: 700,
        sid: '',
        registry_hive: '',
      },
    ]);
  });

  it('is empty with a warning when utmp is absent', () => {
    const { rows, warnings } = collectAll(loggedInUsers, fixtureRoot('users'));
    expect(rows).toEqual([]);
    expect(warnings).toEqual(['/var/run/utmp or /run/utmp not present']);
  });

  it.skipIf(utmpPath === undefined)('reads every record of the real utmp (this machine has one)', () => {
    const records = readFileSync(utmpPath as string).length / UTMP_RECORD_SIZE;
    const { rows } = collectAll(loggedInUsers, '/');
    expect(rows.length).toBeLessThanOrEqual(records);
    for (const r of rows) expect(typeof r.time).toBe('number');
  });
});
