import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { secureboot } from './secureboot.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('secureboot', () => {
  it('reads the value byte after the efivarfs attribute header', () => {
    const { rows } = collectFixture(secureboot, 'secureboot');
    expect(rows).toEqual([{ secure_boot: 1, setup_mode: 0 }]);
  });

  it.skipIf(existsSync('/sys/firmware/efi'))('is empty with a warning on this BIOS-booted machine', () => {
    const { rows, warnings } = collectAt(secureboot, '/');
    expect(rows).toEqual([]);
    expect(warnings[0]).toMatch(/not booted with EFI/);
  });

  it.skipIf(!existsSync('/sys/firmware/efi/efivars'))('reads Secure Boot state on this EFI machine', () => {
    const { rows } = collectAt(secureboot, '/');
    expect([0, 1]).toContain(rows[0]?.secure_boot);
  });
});
