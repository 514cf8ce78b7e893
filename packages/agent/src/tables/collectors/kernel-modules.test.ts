import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kernelModules } from './kernel-modules.js';
import { collectAt, collectFixture, fixturePath } from './test-collect.js';

describe('kernel_modules', () => {
  it('parses /proc/modules, turning "-" into no dependents and dropping the trailing comma', () => {
    const { rows } = collectFixture(kernelModules, 'kernel_modules');
    expect(rows).toEqual([
      {
        name: 'nf_tables',
        size: 356352,
        used_by: 'nft_chain_nat,nft_compat',
        status: 'Live',
        address: '0xffffffffc0a4f000',
      },
      { name: 'usb_storage', size: 81920, used_by: '', status: 'Live', address: '0x0000000000000000' },
      { name: 'loop', size: 40960, used_by: '', status: 'Loading', address: '0xffffffffc0312000' },
    ]);
  });

  it('is empty with a warning where the kernel has no /proc/modules', () => {
    const { rows, warnings } = collectAt(kernelModules, fixturePath('uptime'));
    expect(rows).toEqual([]);
    expect(warnings[0]).toMatch(/\/proc\/modules is not present/);
  });

  it.skipIf(!existsSync('/proc/modules'))(
    'lists loaded modules on this machine (needs /proc/modules)',
    () => {
      const { rows } = collectAt(kernelModules, '/');
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.name).toMatch(/^\w+$/);
    },
  );
});
