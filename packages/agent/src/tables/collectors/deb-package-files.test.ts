import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { debPackageFiles } from './deb-package-files.js';
import { collectAt, collectFixture } from './test-collect.js';

const FIXTURE = 'deb_package_files';

describe('deb_package_files', () => {
  it('lists every path of every package, naming multi-arch packages without their :arch', () => {
    const { rows, warnings } = collectFixture(debPackageFiles, FIXTURE);
    expect(rows).toEqual([
      { package: 'bash', path: '/.', admindir: '/var/lib/dpkg' },
      { package: 'bash', path: '/bin', admindir: '/var/lib/dpkg' },
      { package: 'bash', path: '/bin/bash', admindir: '/var/lib/dpkg' },
      { package: 'libc6', path: '/usr/lib/x86_64-linux-gnu/libc.so.6', admindir: '/var/lib/dpkg' },
      { package: 'openssh-client', path: '/usr/bin/ssh', admindir: '/var/lib/dpkg' },
      { package: 'openssh-client', path: '/usr/bin/scp', admindir: '/var/lib/dpkg' },
    ]);
    expect(warnings).toEqual([]);
  });

  it('produces only the paths the query constrains (= and LIKE, ignoring ASCII case as SQLite does)', () => {
    const { rows } = collectFixture(debPackageFiles, FIXTURE, {
      equals: { path: ['/bin/bash'] },
      like: { path: ['/USR/BIN/s%'] },
    });
    expect(rows.map((r) => r.path)).toEqual(['/bin/bash', '/usr/bin/ssh', '/usr/bin/scp']);
  });

  it('reads only the lists of the packages the query names, and another admindir when asked', () => {
    expect(
      collectFixture(debPackageFiles, FIXTURE, { equals: { package: ['libc6'] } }).rows.map((r) => r.path),
    ).toEqual(['/usr/lib/x86_64-linux-gnu/libc.so.6']);
    expect(collectFixture(debPackageFiles, FIXTURE, { equals: { admindir: ['/opt/altdpkg'] } }).rows).toEqual(
      [{ package: 'epochpkg', path: '/opt/epochpkg/bin/tool', admindir: '/opt/altdpkg' }],
    );
  });

  it.skipIf(!existsSync('/var/lib/dpkg/info'))(
    'finds every path dpkg lists on this machine (needs dpkg)',
    () => {
      const lists = readdirSync('/var/lib/dpkg/info').filter((n) => n.endsWith('.list'));
      const expected = lists.reduce(
        (n, name) =>
          n +
          readFileSync(`/var/lib/dpkg/info/${name}`, 'utf8')
            .split('\n')
            .filter((l) => l !== '').length,
        0,
      );
      const { rows } = collectAt(debPackageFiles, '/');
      expect(rows).toHaveLength(expected);
      expect(rows.find((r) => r.path === '/bin/sh' || r.path === '/usr/bin/dash')?.package).toBe('dash');
    },
  );
});
