import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { fileLines } from './file-lines.js';

describe('file_lines', () => {
  it('yields each line without its ending', () => {
    const { rows } = collectAll(fileLines, fixtureRoot('file_lines'), {
      equals: { path: ['/etc/ssh/crlf.conf'] },
    });
    expect(rows).toEqual([
      { path: '/etc/ssh/crlf.conf', line: 'one' },
      { path: '/etc/ssh/crlf.conf', line: 'two' },
    ]);
  });

  it('reads every file a LIKE pattern selects', () => {
    const { rows } = collectAll(fileLines, fixtureRoot('file_lines'), { like: { path: ['/etc/ssh/%'] } });
    expect(rows.filter((r) => String(r.line).startsWith('PermitRootLogin'))).toEqual([
      { path: '/etc/ssh/sshd_config', line: 'PermitRootLogin yes' },
    ]);
    expect(rows).toHaveLength(9);
  });

  it('reads /etc/passwd line by line on the real machine', () => {
    const { rows } = collectAll(fileLines, '/', { equals: { path: ['/etc/passwd'] } });
    const expected = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .filter((l, i, all) => i < all.length - 1 || l !== '');
    expect(rows.map((r) => r.line)).toEqual(expected);
  });
});
