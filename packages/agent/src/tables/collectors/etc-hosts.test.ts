import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { etcHosts } from './etc-hosts.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('etc_hosts', () => {
  it('parses address lines, dropping comments and lines without names', () => {
    const { rows } = collectFixture(etcHosts, 'etc_hosts');
    expect(rows).toEqual([
      { address: '127.0.0.1', hostnames: 'localhost' },
      { address: '::1', hostnames: 'localhost ip6-localhost ip6-loopback' },
      { address: '10.0.0.5', hostnames: 'db.internal db' },
    ]);
  });

  it.skipIf(!existsSync('/etc/hosts'))('maps localhost on this machine (needs /etc/hosts)', () => {
    const { rows } = collectAt(etcHosts, '/');
    expect(rows.some((r) => String(r.hostnames).split(' ').includes('localhost'))).toBe(true);
  });
});
