import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectAt, collectFixture, fixturePath } from './test-collect.js';
import { yumSources } from './yum-sources.js';

describe('yum_sources', () => {
  it('reads repositories from yum.conf and *.repo files, skipping [main]', () => {
    const { rows } = collectFixture(yumSources, 'yum_sources');
    expect(rows).toEqual([
      {
        name: 'Local extras',
        source: '/etc/yum.conf',
        baseurl: 'file:///srv/repo',
        mirrorlist: null,
        metalink: null,
        enabled: '0',
        gpgcheck: null,
        gpgkey: null,
      },
      {
        name: 'Rocky Linux $releasever - BaseOS',
        source: '/etc/yum.repos.d/rocky.repo',
        baseurl: null,
        mirrorlist: 'https://mirrors.rockylinux.org/mirrorlist?arch=$basearch&repo=BaseOS-$releasever',
        metalink: null,
        enabled: '1',
        gpgcheck: '1',
        gpgkey: 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-Rocky-9',
      },
      {
        name: 'EPEL 9',
        source: '/etc/yum.repos.d/rocky.repo',
        baseurl: null,
        mirrorlist: null,
        metalink: 'https://mirrors.fedoraproject.org/metalink?repo=epel-9&arch=$basearch',
        enabled: '1',
        gpgcheck: '1',
        gpgkey: null,
      },
    ]);
  });

  it('is empty with a warning on a system without yum', () => {
    const { rows, warnings } = collectAt(yumSources, fixturePath('apt_sources'));
    expect(rows).toEqual([]);
    expect(warnings[0]).toMatch(/not a yum\/dnf-based system/);
  });

  it.skipIf(!existsSync('/etc/yum.repos.d'))(
    'lists this machine repositories (needs /etc/yum.repos.d)',
    () => {
      const { rows } = collectAt(yumSources, '/');
      for (const row of rows) expect(row.name).toMatch(/\S/);
    },
  );

  it.skipIf(existsSync('/etc/yum.repos.d') || existsSync('/etc/yum.conf'))(
    'is empty on this machine without yum',
    () => {
      expect(collectAt(yumSources, '/').rows).toEqual([]);
    },
  );
});
