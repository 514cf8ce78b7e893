import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aptSources, parseOneLineSources } from './apt-sources.js';
import { collectAt, collectFixture, fixturePath } from './test-collect.js';

describe('apt_sources', () => {
  it('reads one-line and deb822 sources, skipping deb-src and disabled entries, with Release metadata', () => {
    const { rows } = collectFixture(aptSources, 'apt_sources');
    const noRelease = { release: null, version: null, maintainer: null };
    expect(rows).toEqual([
      {
        name: 'deb.debian.org/debian bookworm',
        source: '/etc/apt/sources.list',
        base_uri: 'http://deb.debian.org/debian',
        release: 'bookworm',
        version: '12.5',
        maintainer: 'Debian',
        components: 'main contrib non-free-firmware',
        architectures: 'all amd64 arm64',
      },
      {
        name: 'packages.example.com/apt stable',
        source: '/etc/apt/sources.list',
        base_uri: 'https://packages.example.com/apt',
        ...noRelease,
        components: 'main',
        architectures: 'amd64 arm64',
      },
      {
        name: 'ppa.example.net/ubuntu jammy',
        source: '/etc/apt/sources.list.d/ppa.list',
        base_uri: 'http://ppa.example.net/ubuntu',
        ...noRelease,
        components: 'universe',
        architectures: '',
      },
      {
        name: 'security.debian.org/debian-security bookworm-security',
        source: '/etc/apt/sources.list.d/debian.sources',
        base_uri: 'http://security.debian.org/debian-security',
        ...noRelease,
        components: 'main',
        architectures: '',
      },
    ]);
  });

  it('ignores lines without a URI scheme', () => {
    expect(parseOneLineSources('deb cdrom:[Debian]/ bookworm main\ndeb  \n')).toEqual([]);
  });

  it('is empty with a warning where APT is not installed', () => {
    const { rows, warnings } = collectAt(aptSources, fixturePath('yum_sources'));
    expect(rows).toEqual([]);
    expect(warnings).toEqual(['no /etc/apt (not an APT-based system)']);
  });

  it.skipIf(!existsSync('/etc/apt'))(
    'lists this machine repositories with http(s) base URIs (needs /etc/apt)',
    () => {
      const { rows } = collectAt(aptSources, '/');
      for (const row of rows) expect(row.base_uri).toMatch(/^[a-z+]+:\/\//);
    },
  );
});
