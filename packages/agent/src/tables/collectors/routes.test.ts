import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routes } from './routes.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('routes', () => {
  it('decodes the IPv4 and IPv6 route tables', () => {
    const { rows } = collectFixture(routes, 'routes');
    expect(rows).toEqual([
      {
        destination: '0.0.0.0',
        netmask: 0,
        gateway: '192.168.0.1',
        source: null,
        flags: 3,
        interface: 'eth0',
        mtu: 0,
        metric: 100,
        type: 'gateway',
      },
      {
        destination: '192.168.0.0',
        netmask: 24,
        gateway: '0.0.0.0',
        source: null,
        flags: 1,
        interface: 'eth0',
        mtu: 1400,
        metric: 100,
        type: 'gateway',
      },
      {
        destination: '10.0.0.0',
        netmask: 8,
        gateway: '0.0.0.0',
        source: null,
        flags: 0x201,
        interface: 'eth0',
        mtu: 0,
        metric: 0,
        type: 'other',
      },
      {
        destination: '2001:db8::',
        netmask: 64,
        gateway: '::',
        source: null,
        flags: 1,
        interface: 'eth0',
        mtu: 0,
        metric: 256,
        type: 'gateway',
      },
      {
        destination: '::',
        netmask: 0,
        gateway: 'fe80::1',
        source: null,
        flags: 3,
        interface: 'eth0',
        mtu: 0,
        metric: 1024,
        type: 'gateway',
      },
      {
        destination: '::1',
        netmask: 128,
        gateway: '::',
        source: null,
        flags: 0x80200001,
        interface: 'lo',
        mtu: 0,
        metric: 0,
        type: 'local',
      },
    ]);
  });

  it.skipIf(!existsSync('/proc/net/route'))('reads this machine routes, each on a known interface', () => {
    const { rows } = collectAt(routes, '/');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(existsSync(`/sys/class/net/${row.interface}`)).toBe(true);
  });
});
