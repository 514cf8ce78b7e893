import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dnsResolvers } from './dns-resolvers.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('dns_resolvers', () => {
  it('lists name servers, the last search line and the sort list with the options mask', () => {
    const { rows } = collectFixture(dnsResolvers, 'dns_resolvers');
    // RES_INIT|RES_RECURSE|RES_DEFNAMES|RES_DNSRCH (0x2c1) + rotate (0x4000) + edns0 (0x100000).
    const options = 0x2c1 | 0x4000 | 0x100000;
    expect(rows).toEqual([
      { id: 0, type: 'nameserver', address: '10.0.0.2', netmask: '32', options },
      { id: 1, type: 'nameserver', address: '2001:db8::53', netmask: '128', options },
      { id: 0, type: 'search', address: 'corp.example', netmask: null, options },
      { id: 1, type: 'search', address: 'lab.example', netmask: null, options },
      { id: 0, type: 'sortlist', address: '130.155.160.0', netmask: '255.255.240.0', options },
      { id: 1, type: 'sortlist', address: '130.155.0.0', netmask: null, options },
    ]);
  });

  it.skipIf(!existsSync('/etc/resolv.conf'))(
    'lists this machine name servers (needs /etc/resolv.conf)',
    () => {
      const { rows } = collectAt(dnsResolvers, '/');
      const expected = readFileSync('/etc/resolv.conf', 'utf8')
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => f[0] === 'nameserver')
        .map((f) => f[1]);
      expect(rows.filter((r) => r.type === 'nameserver').map((r) => r.address)).toEqual(expected);
    },
  );
});
