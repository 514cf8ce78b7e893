import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { arpCache } from './arp-cache.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('arp_cache', () => {
  it('lists resolved neighbours, flags permanent ones and skips incomplete entries', () => {
    const { rows } = collectFixture(arpCache, 'arp_cache');
    expect(rows).toEqual([
      { address: '192.168.0.1', mac: '52:54:00:aa:bb:cc', interface: 'eth0', permanent: '0' },
      { address: '192.168.0.9', mac: '52:54:00:dd:ee:ff', interface: 'eth0', permanent: '1' },
    ]);
  });

  it.skipIf(!existsSync('/proc/net/arp'))('reads well-formed entries on this machine', () => {
    const { rows, warnings } = collectAt(arpCache, '/');
    expect(warnings).toEqual([]);
    for (const row of rows) expect(row.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  });
});
