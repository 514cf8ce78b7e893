import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { authorizedKeys } from './authorized-keys.js';

const ED = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

describe('authorized_keys', () => {
  it('parses keys with and without options for every user', () => {
    const { rows, warnings } = collectAll(authorizedKeys, fixtureRoot('authorized_keys'));
    expect(rows).toEqual([
      {
        uid: 0,
        algorithm: 'ecdsa-sha2-nistp256',
        key: 'AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY=',
        options: '',
        comment: '',
        key_file: '/root/.ssh/authorized_keys2',
      },
      {
        uid: 1000,
        algorithm: 'ssh-ed25519',
        key: ED,
        options: '',
        comment: 'alice@laptop',
        key_file: '/home/alice/.ssh/authorized_keys',
      },
      {
        uid: 1000,
        algorithm: 'ssh-rsa',
        key: 'AAAAB3NzaC1yc2EAAAADAQABAAABAQC7',
        options: 'from="10.0.0.0/8",command="/usr/bin/backup --flag \\"x y\\"",no-pty',
        comment: 'backup key',
        key_file: '/home/alice/.ssh/authorized_keys',
      },
    ]);
    expect(warnings).toEqual(['skipped a malformed /etc/passwd line for "broken line without fields"']);
  });

  it('reads only the users the query names by uid', () => {
    const { rows } = collectAll(authorizedKeys, fixtureRoot('authorized_keys'), { equals: { uid: [0] } });
    expect(rows.map((r) => r.uid)).toEqual([0]);
  });

  it('reads keys under real home directories through the root (a temporary root holding a copy of a real layout)', () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-ak-'));
    try {
      mkdirSync(join(root, 'etc'));
      mkdirSync(join(root, 'home/eve/.ssh'), { recursive: true });
      writeFileSync(join(root, 'etc/passwd'), 'eve:x:2000:2000::/home/eve:/bin/sh\n');
      writeFileSync(join(root, 'home/eve/.ssh/authorized_keys'), `ssh-ed25519 ${ED} eve\n`);
      const { rows } = collectAll(authorizedKeys, root);
      expect(rows).toEqual([
        {
          uid: 2000,
          algorithm: 'ssh-ed25519',
          key: ED,
          options: '',
          comment: 'eve',
          key_file: '/home/eve/.ssh/authorized_keys',
        },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('runs on the real machine and returns well-formed rows', () => {
    const { rows } = collectAll(authorizedKeys, '/');
    for (const r of rows) {
      expect(String(r.key_file)).toMatch(/\/\.ssh\/authorized_keys2?$/);
      expect(String(r.algorithm)).toMatch(/^(ssh|ecdsa|sk)-/);
    }
  });
});
