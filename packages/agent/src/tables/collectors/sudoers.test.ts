import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { sudoers } from './sudoers.js';

describe('sudoers', () => {
  it('splits rules, joins continuations and follows includes like sudo', () => {
    const { rows, warnings } = collectAll(sudoers, fixtureRoot('sudoers'));
    expect(warnings).toEqual([]);
    expect(rows).toEqual([
      { source: '/etc/sudoers', header: 'Defaults', rule_details: 'env_reset' },
      {
        source: '/etc/sudoers',
        header: 'Defaults',
        rule_details: 'secure_path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"',
      },
      { source: '/etc/sudoers', header: 'root', rule_details: 'ALL=(ALL:ALL) ALL' },
      { source: '/etc/sudoers', header: '%sudo', rule_details: 'ALL=(ALL:ALL) ALL, /usr/bin/true' },
      { source: '/etc/sudoers', header: '@includedir', rule_details: '/etc/sudoers.d' },
      {
        source: '/etc/sudoers.d/alice',
        header: 'alice',
        rule_details: 'ALL=(ALL) NOPASSWD: /usr/bin/systemctl',
      },
      { source: '/etc/sudoers.d/alice', header: '#include', rule_details: '/etc/sudoers.extra' },
      { source: '/etc/sudoers.extra', header: 'Defaults:bob', rule_details: '!requiretty' },
    ]);
  });

  it('is empty with a warning when /etc/sudoers is absent', () => {
    const { rows, warnings } = collectAll(sudoers, fixtureRoot('users'));
    expect(rows).toEqual([]);
    expect(warnings).toEqual(['/etc/sudoers not present']);
  });

  it.skipIf(!existsSync('/etc/sudoers'))('reads the real /etc/sudoers (sudo installed)', () => {
    const { rows } = collectAll(sudoers, '/');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => typeof r.header === 'string' && r.header !== '')).toBe(true);
  });
});
