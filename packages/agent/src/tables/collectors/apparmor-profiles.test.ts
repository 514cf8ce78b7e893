import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apparmorProfiles } from './apparmor-profiles.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('apparmor_profiles', () => {
  it('reads each profile directory of the policy tree', () => {
    const { rows } = collectFixture(apparmorProfiles, 'apparmor_profiles/current');
    expect(rows).toEqual([
      {
        path: 'docker-default.7',
        name: 'docker-default',
        attach: '<unconfined>',
        mode: 'complain',
        sha1: null,
        sha256: null,
      },
      {
        path: 'usr.sbin.cupsd.3',
        name: '/usr/sbin/cupsd',
        attach: '/usr/sbin/cupsd',
        mode: 'enforce',
        sha1: 'aa11',
        sha256: 'bb22',
      },
    ]);
  });

  it('falls back to the flat profiles list of older kernels', () => {
    const { rows } = collectFixture(apparmorProfiles, 'apparmor_profiles/legacy');
    expect(rows).toEqual([
      { path: '/usr/bin/man', name: '/usr/bin/man', mode: 'enforce' },
      { path: 'nvidia_modprobe', name: 'nvidia_modprobe', mode: 'complain' },
    ]);
  });

  it.skipIf(existsSync('/sys/kernel/security/apparmor'))(
    'is empty with a warning on this machine without AppArmor',
    () => {
      const { rows, warnings } = collectAt(apparmorProfiles, '/');
      expect(rows).toEqual([]);
      expect(warnings[0]).toMatch(/AppArmor is not active/);
    },
  );

  it.skipIf(!existsSync('/sys/kernel/security/apparmor'))(
    'lists profiles with a mode on this AppArmor machine',
    () => {
      const { rows } = collectAt(apparmorProfiles, '/');
      for (const row of rows) expect(row.mode).toMatch(/\w/);
    },
  );
});
