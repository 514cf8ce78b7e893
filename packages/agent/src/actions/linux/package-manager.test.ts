/**
 * The package-manager helpers on recorded output. The apt side also runs for real in
 * packages.test.ts; the dnf/rpm side is verified here only (no RPM host in CI).
 */
import { describe, expect, it } from 'vitest';
import {
  classifyChanges,
  detectPackageManager,
  diffInstalled,
  entriesFor,
  isSecurityOrigin,
  PACKAGE_NAME,
  parseDnfTransaction,
  parseDpkgStatus,
  parseRpmQuery,
} from './package-manager.js';

const DNF_UPGRADE = `Last metadata expiration check: 0:12:34 ago on Mon 01 Dec 2026 08:00:00 PM UTC.
Dependencies resolved.
================================================================================
 Package           Architecture  Version                 Repository       Size
================================================================================
Upgrading:
 openssl           x86_64        1:3.0.7-27.el9          baseos          1.2 M
 openssl-libs      x86_64        1:3.0.7-27.el9          baseos          2.2 M
Installing dependencies:
 python3-a-very-long-package-name-that-dnf-wraps
                   noarch        1.2-3.el9               appstream        50 k
Removing:
 old-thing         noarch        1.0-1.el9               @System          10 k

Transaction Summary
================================================================================
Install  1 Package
Upgrade  2 Packages
Remove   1 Package

Total download size: 3.5 M
Operation aborted.
`;

describe('package manager helpers', () => {
  it('picks apt where apt-get and dpkg-query exist, else dnf with rpm, else refuses', () => {
    const has = (names: string[]) => (p: string) => (names.includes(p) ? `/usr/bin/${p}` : null);
    expect(detectPackageManager(has(['apt-get', 'dpkg-query', 'dnf', 'rpm']))).toBe('apt');
    expect(detectPackageManager(has(['dnf', 'rpm']))).toBe('dnf');
    expect(() => detectPackageManager(has(['apt-get', 'rpm']))).toThrow(/neither apt-get/);
  });

  it('accepts package names and nothing that could be an option or a path', () => {
    for (const ok of ['hello', 'libc6:amd64', 'g++-12', 'python3.11', 'kernel-core', 'pkg~rc1']) {
      expect(PACKAGE_NAME.test(ok)).toBe(true);
    }
    for (const bad of ['-y', '--purge', './x.deb', '/tmp/x.deb', 'a b', 'name=1.0', '', 'a'.repeat(129)]) {
      expect(PACKAGE_NAME.test(bad)).toBe(false);
    }
  });

  it('parses a dnf transaction table, wrapped rows included', () => {
    expect(parseDnfTransaction(DNF_UPGRADE)).toEqual([
      { action: 'upgrade', name: 'openssl', from: null, to: '1:3.0.7-27.el9', origin: 'baseos' },
      { action: 'upgrade', name: 'openssl-libs', from: null, to: '1:3.0.7-27.el9', origin: 'baseos' },
      {
        action: 'install',
        name: 'python3-a-very-long-package-name-that-dnf-wraps',
        from: null,
        to: '1.2-3.el9',
        origin: 'appstream',
      },
      { action: 'remove', name: 'old-thing', from: null, to: null, origin: null },
    ]);
    expect(parseDnfTransaction('Dependencies resolved.\nNothing to do.\nComplete!\n')).toEqual([]);
  });

  it('reads dpkg and rpm databases and reports what changed', () => {
    const dpkg = parseDpkgStatus(
      'bash\t5.2-2\tii \tyes\nhello\t2.10-3\tii \tno\nlibc6:amd64\t2.36-9\tii \tno\ngone\t1.0\trc \tno\n',
    );
    expect([...dpkg.installed.keys()]).toEqual(['bash', 'hello', 'libc6:amd64']);
    expect([...dpkg.essential]).toEqual(['bash']);
    expect(entriesFor(dpkg.installed, 'apt', 'libc6')).toEqual(['libc6:amd64']);
    expect(entriesFor(dpkg.installed, 'apt', 'libc')).toEqual([]);

    const rpm = parseRpmQuery(
      'kernel-core.x86_64\t5.14.0-427.el9\nkernel-core.x86_64\t5.14.0-362.el9\nbash.x86_64\t5.1.8-9.el9\ngpg-pubkey.(none)\t1-1\n',
    );
    expect(rpm.get('kernel-core.x86_64')).toEqual(['5.14.0-362.el9', '5.14.0-427.el9']);
    expect(rpm.has('gpg-pubkey.(none)')).toBe(false);
    expect(entriesFor(rpm, 'dnf', 'bash')).toEqual(['bash.x86_64']);
    expect(entriesFor(rpm, 'dnf', 'kernel')).toEqual([]);

    const after = new Map(dpkg.installed);
    after.delete('hello');
    after.set('bash', ['5.2-3']);
    after.set('curl', ['7.88']);
    const changes = diffInstalled(dpkg.installed, after);
    expect(changes).toEqual([
      { name: 'bash', from: '5.2-2', to: '5.2-3' },
      { name: 'curl', from: null, to: '7.88' },
      { name: 'hello', from: '2.10-3', to: null },
    ]);
    expect(classifyChanges(changes)).toEqual({
      installed: [{ name: 'curl', version: '7.88' }],
      upgraded: [{ name: 'bash', from: '5.2-2', to: '5.2-3' }],
      removed: [{ name: 'hello', version: '2.10-3' }],
    });
  });

  it('recognises security archives by their labels', () => {
    expect(isSecurityOrigin('Debian-Security:12/stable-security')).toBe(true);
    expect(isSecurityOrigin('Ubuntu:22.04/jammy-security')).toBe(true);
    expect(isSecurityOrigin('Debian:12.5/stable')).toBe(false);
    expect(isSecurityOrigin(null)).toBe(false);
  });
});
