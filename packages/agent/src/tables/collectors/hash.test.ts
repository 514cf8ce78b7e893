import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { hash } from './hash.js';

const digest = (alg: string, data: Buffer | string) => createHash(alg).update(data).digest('hex');

describe('hash', () => {
  it('hashes a fixture file with md5, sha1 and sha256', () => {
    const { rows } = collectAll(hash, fixtureRoot('hash'), { equals: { path: ['/data/hello.txt'] } });
    expect(rows).toEqual([
      {
        path: '/data/hello.txt',
        directory: '/data',
        md5: 'b1946ac92492d2347c6235b4d2611184',
        sha1: 'f572d396fae9206628714fb2ce00f72e94f2258f',
        sha256: '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03',
      },
    ]);
  });

  it('hashes the regular files of a directory and skips subdirectories', () => {
    const { rows } = collectAll(hash, fixtureRoot('hash'), { equals: { directory: ['/data'] } });
    expect(rows.map((r) => [r.path, r.sha256])).toEqual([
      ['/data/empty.txt', digest('sha256', '')],
      ['/data/hello.txt', digest('sha256', 'hello\n')],
    ]);
  });

  it('matches node:crypto for /etc/passwd on the real machine', () => {
    const { rows } = collectAll(hash, '/', { equals: { path: ['/etc/passwd'] } });
    const data = readFileSync('/etc/passwd');
    expect(rows).toEqual([
      {
        path: '/etc/passwd',
        directory: '/etc',
        md5: digest('md5', data),
        sha1: digest('sha1', data),
        sha256: digest('sha256', data),
      },
    ]);
  });
});
