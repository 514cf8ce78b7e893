import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { shadow } from './shadow.js';

describe('shadow', () => {
  it('classifies password fields without exposing hashes', () => {
    const { rows } = collectAll(shadow, fixtureRoot('shadow'));
    expect(rows).toEqual([
      {
        password_status: 'not_set',
        hash_alg: '',
        last_change: 19000,
        min: 0,
        max: 99999,
        warning: 7,
        inactive: null,
        expire: null,
        flag: null,
        username: 'root',
      },
      {
        password_status: 'active',
        hash_alg: 'sha512',
        last_change: 19500,
        min: 1,
        max: 90,
        warning: 7,
        inactive: 30,
        expire: 20000,
        flag: null,
        username: 'alice',
      },
      {
        password_status: 'locked',
        hash_alg: 'yescrypt',
        last_change: 19600,
        min: 0,
        max: 99999,
        warning: 7,
        inactive: null,
        expire: null,
        flag: null,
        username: 'bob',
      },
      {
        password_status: 'empty',
        hash_alg: '',
        last_change: 19700,
        min: 0,
        max: 99999,
        warning: 7,
        inactive: null,
        expire: null,
        flag: null,
        username: 'carol',
      },
      {
        password_status: 'locked',
        hash_alg: '',
        last_change: 19800,
        min: null,
        max: null,
        warning: null,
        inactive: null,
        expire: null,
        flag: null,
        username: 'dave',
      },
    ]);
    expect(JSON.stringify(rows)).not.toContain('hashhash');
  });

  it.skipIf(!existsSync('/etc/shadow'))(
    'has an entry for root on the real machine (/etc/shadow present)',
    () => {
      const { rows } = collectAll(shadow, '/');
      expect(rows.find((r) => r.username === 'root')).toBeDefined();
    },
  );
});
