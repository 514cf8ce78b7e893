import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectAll } from '../test-context.js';
import { suidBin } from './suid-bin.js';

// Git does not keep setuid bits, so the fixture tree is built here with real modes.
describe('suid_bin', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'vigil-suid-'));
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\nshadow:x:42:\n');
    for (const [path, mode] of [
      ['usr/bin/passwd', 0o4755],
      ['usr/bin/chage', 0o2755],
      ['usr/bin/ls', 0o755],
      ['tmp/.hidden/rootshell', 0o6755],
    ] as const) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), '#!/bin/sh\n');
      chmodSync(join(root, path), mode);
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds setuid and setgid files, including hidden ones in /tmp', () => {
    const { rows } = collectAll(suidBin, root);
    expect(rows).toEqual([
      { path: '/usr/bin/chage', username: 'root', groupname: 'root', permissions: 'G' },
      { path: '/usr/bin/passwd', username: 'root', groupname: 'root', permissions: 'S' },
      { path: '/tmp/.hidden/rootshell', username: 'root', groupname: 'root', permissions: 'SG' },
    ]);
  });

  it.skipIf(!existsSync('/usr/bin/passwd') || (statSync('/usr/bin/passwd').mode & 0o4000) === 0)(
    'finds /usr/bin/passwd on the real machine (setuid there)',
    () => {
      const { rows } = collectAll(suidBin, '/');
      expect(rows.find((r) => r.path === '/usr/bin/passwd')).toMatchObject({
        username: 'root',
        permissions: 'S',
      });
    },
  );
});
