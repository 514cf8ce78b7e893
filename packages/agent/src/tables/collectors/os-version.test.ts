import { existsSync } from 'node:fs';
import { machine } from 'node:os';
import { describe, expect, it } from 'vitest';
import { osVersion } from './os-version.js';
import { collectAt, collectFixture, fixturePath } from './test-collect.js';

describe('os_version', () => {
  it('reads os-release, splitting VERSION_ID into major and minor', () => {
    const { rows, warnings } = collectFixture(osVersion, 'os_version');
    expect(rows).toEqual([
      {
        name: 'Ubuntu',
        version: '22.04.4 LTS (Jammy Jellyfish)',
        major: 22,
        minor: 4,
        patch: 0,
        build: '',
        platform: 'ubuntu',
        platform_like: 'debian',
        codename: 'jammy',
        arch: 'aarch64',
      },
    ]);
    expect(warnings).toEqual([]);
  });

  it('is empty with a warning without an os-release file', () => {
    const { rows, warnings } = collectAt(osVersion, fixturePath('uptime'));
    expect(rows).toEqual([]);
    expect(warnings).toEqual(['no /etc/os-release or /usr/lib/os-release']);
  });

  it.skipIf(!existsSync('/etc/os-release'))('describes this machine (needs /etc/os-release)', () => {
    const { rows } = collectAt(osVersion, '/');
    expect(rows).toHaveLength(1);
    expect(String(rows[0]?.name).length).toBeGreaterThan(0);
    expect(rows[0]?.arch).toBe(machine());
  });
});
