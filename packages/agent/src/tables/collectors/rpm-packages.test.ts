import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findProgram } from './command-runner.js';
import { createRpmPackages, RPM_QUERY_FORMAT, rpmPackages } from './rpm-packages.js';
import { collectAt, collectFixture, fixturePath } from './test-collect.js';

describe('rpm_packages', () => {
  it('asks rpm for every column in one tab-separated line per package', () => {
    const seen: string[][] = [];
    const collector = createRpmPackages((_ctx, program, args) => {
      seen.push([program, ...args]);
      return readFileSync(fixturePath('rpm_packages/rpm-qa.txt'), 'utf8');
    });
    const { rows } = collectFixture(collector, 'rpm_packages');
    expect(seen).toEqual([['rpm', '-qa', '--queryformat', RPM_QUERY_FORMAT]]);
    expect(RPM_QUERY_FORMAT).toBe(
      '%{NAME}\\t%{VERSION}\\t%{RELEASE}\\t%{SOURCERPM}\\t%{SIZE}\\t%{SHA1HEADER}\\t%{ARCH}\\t%{EPOCH}\\t%{INSTALLTIME}\\t%{VENDOR}\\t%{GROUP}\\n',
    );
    expect(rows).toEqual([
      {
        name: 'nginx',
        version: '1.20.1',
        release: '14.el9',
        source: 'nginx-1.20.1-14.el9.src.rpm',
        size: 2048,
        sha1: '0123456789abcdef0123456789abcdef01234567',
        arch: 'x86_64',
        epoch: 2,
        install_time: 1700000000,
        vendor: 'Red Hat, Inc.',
        package_group: 'Unspecified',
      },
      {
        name: 'gpg-pubkey',
        version: '8483c65d',
        release: '5ccc5b19',
        source: '',
        size: 0,
        sha1: null,
        arch: null,
        epoch: null,
        install_time: 1690000000,
        vendor: null,
        package_group: 'Public Keys',
      },
    ]);
  });

  it.skipIf(findProgram('rpm') !== null)('is empty with a warning on this machine without rpm', () => {
    const { rows, warnings } = collectAt(rpmPackages, '/');
    expect(rows).toEqual([]);
    expect(warnings).toEqual(['rpm is not installed']);
  });

  it.skipIf(findProgram('rpm') === null)('lists packages with names on this rpm machine (needs rpm)', () => {
    const { rows, warnings } = collectAt(rpmPackages, '/');
    for (const row of rows) expect(row.name).toMatch(/\S/);
    expect(rows.length > 0 || warnings.length > 0).toBe(true);
  });
});
