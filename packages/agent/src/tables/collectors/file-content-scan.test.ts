import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { fileContentScan } from './file-content-scan.js';

describe('file_content_scan', () => {
  it('counts matching lines per file and pattern', () => {
    const { rows } = collectAll(fileContentScan, fixtureRoot('file_content_scan'), {
      like: { path: ['/etc/ssh/%'] },
      equals: { pattern: ['^PermitRootLogin\\s+'] },
    });
    expect(rows).toEqual([
      { path: '/etc/ssh/ssh_config', pattern: '^PermitRootLogin\\s+', match_count: 0, line_numbers: '' },
      { path: '/etc/ssh/sshd_config', pattern: '^PermitRootLogin\\s+', match_count: 1, line_numbers: '3' },
    ]);
  });

  it('refuses a scan without a pattern and an invalid regular expression', () => {
    const root = fixtureRoot('file_content_scan');
    expect(() => collectAll(fileContentScan, root, { equals: { path: ['/etc/ssh/sshd_config'] } })).toThrow(
      /requires a pattern constraint/,
    );
    expect(() =>
      collectAll(fileContentScan, root, { equals: { path: ['/etc/ssh/sshd_config'], pattern: ['('] } }),
    ).toThrow(/not a valid regular expression/);
  });

  it('finds root in /etc/passwd on the real machine', () => {
    const { rows } = collectAll(fileContentScan, '/', {
      equals: { path: ['/etc/passwd'], pattern: ['^root:'] },
    });
    expect(rows).toEqual([
      { path: '/etc/passwd', pattern: '^root:', match_count: 1, line_numbers: expect.any(String) },
    ]);
  });
});
