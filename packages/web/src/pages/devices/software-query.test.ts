import { describe, expect, it } from 'vitest';
import { filterPackages, softwareQuery } from './software-query.js';

describe('installed software query', () => {
  it('reads deb packages on Debian-family hosts and rpm packages on RPM distributions', () => {
    expect(softwareQuery('Debian GNU/Linux')).toContain('FROM deb_packages');
    expect(softwareQuery('Ubuntu')).toContain('FROM deb_packages');
    for (const os of [
      'Rocky Linux',
      'Fedora Linux',
      'Red Hat Enterprise Linux',
      'AlmaLinux',
      'openSUSE Leap',
    ])
      expect(softwareQuery(os), os).toContain('FROM rpm_packages');
  });

  it('filters rows by name or version, ignoring case, and keeps every row for empty text', () => {
    const rows = [
      ['openssl', '3.0.11-1', 'amd64'],
      ['libssl3', '3.0.11-1', 'amd64'],
      ['bash', '5.2.15', 'amd64'],
    ];
    expect(filterPackages(rows, 'SSL').map((r) => r[0])).toEqual(['openssl', 'libssl3']);
    expect(filterPackages(rows, '5.2').map((r) => r[0])).toEqual(['bash']);
    expect(filterPackages(rows, 'amd64')).toEqual([]);
    expect(filterPackages(rows, '  ')).toBe(rows);
  });
});
