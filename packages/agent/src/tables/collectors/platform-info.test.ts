import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { platformInfo } from './platform-info.js';
import { collectAt, collectFixture, fixturePath } from './test-collect.js';

describe('platform_info', () => {
  it('reads the BIOS strings and detects UEFI', () => {
    const { rows } = collectFixture(platformInfo, 'platform_info');
    expect(rows).toEqual([
      { vendor: 'Dell Inc.', version: '2.12.2', date: '07/09/2021', revision: '2.12', firmware_type: 'uefi' },
    ]);
  });

  it('is empty with a warning without DMI data', () => {
    const { rows, warnings } = collectAt(platformInfo, fixturePath('uptime'));
    expect(rows).toEqual([]);
    expect(warnings[0]).toMatch(/no \/sys\/class\/dmi\/id/);
  });

  it.skipIf(!existsSync('/sys/class/dmi/id'))(
    'describes this machine firmware (needs /sys/class/dmi/id)',
    () => {
      const { rows } = collectAt(platformInfo, '/');
      expect(['uefi', 'bios']).toContain(rows[0]?.firmware_type);
    },
  );
});
