import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { last } from './last.js';

describe('last', () => {
  it('keeps user and dead process records of wtmp and warns about a partial record', () => {
    const { rows, warnings } = collectAll(last, fixtureRoot('last'));
    expect(rows).toEqual([
      {
        username: 'alice',
        tty: 'pts/0',
        pid: 700,
        type: 7,
        type_name: 'user-process',
        time: 1700000100,
        host: '10.0.0.9',
      },
      {
        username: '',
        tty: 'pts/0',
        pid: 700,
        type: 8,
        type_name: 'dead-process',
        time: 1700003700,
        host: '',
      },
      {
        username: 'bob',
        tty: 'pts/1',
        pid: 800,
        type: 7,
        type_name: 'user-process',
        time: 1700010000,
        host: '192.168.1.20',
      },
    ]);
    expect(warnings).toEqual(['/var/log/wtmp: ignored 10 trailing bytes (partial record)']);
  });

  it.skipIf(!existsSync('/var/log/wtmp'))('reads the real wtmp (present on this machine)', () => {
    const { rows, warnings } = collectAll(last, '/');
    if (statSync('/var/log/wtmp').size === 0) expect(rows).toEqual([]);
    for (const r of rows) expect([7, 8]).toContain(r.type);
    expect(warnings.filter((w) => w.includes('not present'))).toEqual([]);
  });
});
