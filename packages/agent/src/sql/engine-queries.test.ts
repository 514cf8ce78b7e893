import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRoot } from '../tables/test-context.js';
import { createQueryEngine } from './engine.js';

// The query set every Vigil install must answer unchanged, run on this machine with all tables.
describe('the standard query set on the real machine', () => {
  const engine = createQueryEngine();
  afterAll(() => engine.close());

  describe('listening ports joined with processes', () => {
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('shows this process listening on its port', () => {
      const result = engine.run(
        'SELECT DISTINCT p.pid, p.name, l.port, l.address, l.protocol FROM listening_ports l JOIN processes p USING (pid) WHERE l.port != 0',
      );
      expect(result.columns).toEqual(['pid', 'name', 'port', 'address', 'protocol']);
      expect(result.rows).toContainEqual({
        pid: process.pid,
        name: expect.any(String),
        port,
        address: '127.0.0.1',
        protocol: 6,
      });
    });
  });

  describe('processes whose binary was deleted', () => {
    let dir: string;
    let child: ChildProcess;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'vigil-deleted-'));
      const binary = join(dir, 'vigil-test-sleep');
      copyFileSync('/bin/sleep', binary);
      chmodSync(binary, 0o755);
      child = spawn(binary, ['30'], { stdio: 'ignore' });
      await new Promise((resolve) => child.once('spawn', resolve));
      unlinkSync(binary);
    });
    afterAll(() => {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    it('reports a process running a deleted binary with on_disk = 0', () => {
      const result = engine.run('SELECT pid, name, path FROM processes WHERE on_disk = 0');
      expect(result.columns).toEqual(['pid', 'name', 'path']);
      expect(result.rows).toContainEqual({
        pid: child.pid,
        name: 'vigil-test-slee',
        path: join(dir, 'vigil-test-sleep'),
      });
    });
  });

  describe('SUID binaries outside standard paths', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync('/tmp/vigil-suid-');
      writeFileSync(join(dir, 'planted'), '#!/bin/sh\nexit 0\n');
      chmodSync(join(dir, 'planted'), 0o4755);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('finds a setuid file planted in /tmp', () => {
      const result = engine.run(
        "SELECT path, username, permissions FROM suid_bin WHERE path NOT LIKE '/usr/bin/%' AND path NOT LIKE '/usr/sbin/%' AND path NOT LIKE '/bin/%' AND path NOT LIKE '/sbin/%'",
      );
      expect(result.columns).toEqual(['path', 'username', 'permissions']);
      expect(result.rows).toContainEqual({ path: join(dir, 'planted'), username: 'root', permissions: 'S' });
    }, 30_000);
  });

  it('lists users with UID 0, root among them', () => {
    const result = engine.run('SELECT username, uid, directory FROM users WHERE uid = 0');
    expect(result.rows).toContainEqual({ username: 'root', uid: 0, directory: '/root' });
    expect(result.rows.every((r) => r.uid === 0)).toBe(true);
  });

  it('lists files in /tmp modified in the last hour', () => {
    const path = `/tmp/vigil-recent-${process.pid}.txt`;
    writeFileSync(path, 'recent');
    try {
      const result = engine.run(
        "SELECT path, size, mtime FROM file WHERE path LIKE '/tmp/%' AND mtime > CAST(strftime('%s', 'now') AS INTEGER) - 3600",
      );
      expect(result.columns).toEqual(['path', 'size', 'mtime']);
      expect(result.rows).toContainEqual({ path, size: 6, mtime: expect.any(Number) });
      expect(result.rows.every((r) => Number(r.mtime) > Date.now() / 1000 - 3601)).toBe(true);
    } finally {
      rmSync(path, { force: true });
    }
  });

  it('computes the SHA-256 of /etc/passwd', () => {
    const result = engine.run("SELECT sha256 FROM hash WHERE path = '/etc/passwd'");
    expect(result.rows).toEqual([
      { sha256: createHash('sha256').update(readFileSync('/etc/passwd')).digest('hex') },
    ]);
  });

  it('finds PermitRootLogin lines of sshd_config (a fixture root when this machine has none)', () => {
    const sql =
      "SELECT path, line FROM file_lines WHERE path = '/etc/ssh/sshd_config' AND line LIKE '%PermitRootLogin%'";
    const onHost = existsSync('/etc/ssh/sshd_config');
    const where = onHost ? engine : createQueryEngine({ root: fixtureRoot('file_lines') });
    const base = onHost ? '/' : fixtureRoot('file_lines');
    const expected = readFileSync(join(base, 'etc/ssh/sshd_config'), 'utf8')
      .split('\n')
      .filter((l) => l.toLowerCase().includes('permitrootlogin'))
      .map((line) => ({ path: '/etc/ssh/sshd_config', line }));
    expect(where.run(sql).rows).toEqual(expected);
    if (!onHost) {
      expect(expected).toContainEqual({ path: '/etc/ssh/sshd_config', line: 'PermitRootLogin yes' });
      where.close();
    }
  });

  it.skipIf(!existsSync('/var/lib/dpkg/status'))(
    'finds installed packages by name pattern (dpkg present)',
    () => {
      const result = engine.run("SELECT name, version FROM deb_packages WHERE name LIKE 'bas%'");
      expect(result.columns).toEqual(['name', 'version']);
      expect(result.rows.map((r) => r.name)).toContain('bash');
    },
  );
});
