import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { debianRevision, debPackages } from './deb-packages.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('deb_packages', () => {
  it('lists installed packages from the dpkg status file and skips config-files leftovers', () => {
    const { rows, warnings } = collectFixture(debPackages, 'deb_packages');
    expect(rows).toEqual([
      {
        name: 'bash',
        version: '5.2.15-2+b2',
        source: '',
        size: 7164,
        arch: 'amd64',
        revision: '2+b2',
        status: 'install ok installed',
        maintainer: 'Matthias Klose <doko@debian.org>',
        section: 'shells',
        priority: 'required',
        admindir: '/var/lib/dpkg',
      },
      {
        name: 'libssl3',
        version: '3.0.11-1~deb12u2',
        source: 'openssl',
        size: 6172,
        arch: 'amd64',
        revision: '1~deb12u2',
        status: 'install ok installed',
        maintainer: 'Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>',
        section: 'libs',
        priority: 'optional',
        admindir: '/var/lib/dpkg',
      },
      {
        name: 'tzdata',
        version: '2024a',
        source: '',
        size: 3200,
        arch: 'all',
        revision: '',
        status: 'install ok installed',
        maintainer: null,
        section: 'localization',
        priority: 'required',
        admindir: '/var/lib/dpkg',
      },
    ]);
    expect(warnings).toEqual([]);
  });

  it('reads another admindir when the query names one', () => {
    const { rows } = collectFixture(debPackages, 'deb_packages', { equals: { admindir: ['/opt/altdpkg'] } });
    expect(rows).toEqual([
      expect.objectContaining({ name: 'epochpkg', version: '1:2.3.4-5-6', revision: '6', arch: 'arm64' }),
    ]);
  });

  it('splits the Debian revision off the last hyphen, ignoring the epoch', () => {
    expect(debianRevision('1:2.30-2ubuntu1')).toBe('2ubuntu1');
    expect(debianRevision('2024a')).toBe('');
  });

  it.skipIf(!existsSync('/var/lib/dpkg/status'))(
    'finds bash among this machine packages (needs dpkg)',
    () => {
      const { rows } = collectAt(debPackages, '/');
      const bash = rows.find((r) => r.name === 'bash');
      expect(bash?.status).toBe('install ok installed');
      const installed =
        readFileSync('/var/lib/dpkg/status', 'utf8').match(/^Status: install ok installed$/gm) ?? [];
      expect(rows.filter((r) => r.status === 'install ok installed')).toHaveLength(installed.length);
    },
  );
});
