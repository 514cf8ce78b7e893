import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { globToRegExp } from '../glob.js';
import { actionTestContext } from '../test-context.js';
import { linuxProcessActions } from './process.js';

const kill = linuxProcessActions['process.kill']!;
const children: ChildProcess[] = [];

/** A sleeping process from a private copy of sleep: unique name, path and hash, so no other process matches. */
function startVictim(): {
  child: ChildProcess;
  name: string;
  exe: string;
  sha256: string;
  exited: Promise<string>;
} {
  const name = `vkt${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-kill-'));
  const exe = join(dir, name);
  copyFileSync('/bin/sleep', exe);
  // Bytes after the ELF image change its hash without changing what it does.
  appendFileSync(exe, randomBytes(32));
  const sha256 = createHash('sha256').update(readFileSync(exe)).digest('hex');
  const child = spawn(exe, ['300'], { stdio: 'ignore' });
  children.push(child);
  const exited = new Promise<string>((resolve) => child.on('exit', (_c, sig) => resolve(String(sig))));
  return { child, name, exe, sha256, exited };
}

async function running(child: ChildProcess): Promise<boolean> {
  await new Promise((r) => setTimeout(r, 100));
  return child.exitCode === null && child.signalCode === null;
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('globToRegExp', () => {
  it('treats only * and ? as wildcards', () => {
    expect(globToRegExp('kdev*').test('kdevtmpfsi')).toBe(true);
    expect(globToRegExp('x?z').test('xyz')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('/tmp/*').test('/tmp/a/b')).toBe(true);
    expect(globToRegExp('(x)+').test('(x)+')).toBe(true);
  });
});

describe('process.kill (real processes)', () => {
  it('kills a process by pid and reports it gone', async () => {
    const v = startVictim();
    await new Promise((r) => setTimeout(r, 100));
    const out = await kill({ pid: v.child.pid, signal: 'KILL' }, actionTestContext());
    expect(await v.exited).toBe('SIGKILL');
    expect(out).toMatchObject({ ok: true, changed: true });
    expect(out.details.processes).toEqual([
      { pid: v.child.pid, name: v.name.slice(0, 15), exe: v.exe, uid: 0, signalled: true, gone: true },
    ]);
  });

  it('kills by name pattern, by executable glob and by executable hash, sending the asked signal', async () => {
    const byName = startVictim();
    const byExe = startVictim();
    const byHash = startVictim();
    await new Promise((r) => setTimeout(r, 100));
    const ctx = actionTestContext();
    const a = await kill(
      { name: `${byName.name.slice(0, 6)}*${byName.name.slice(-2)}`, signal: 'TERM' },
      ctx,
    );
    expect(await byName.exited).toBe('SIGTERM');
    expect(a.details.processes).toHaveLength(1);
    const b = await kill({ exe: `${byExe.exe.slice(0, -4)}*`, signal: 'KILL' }, ctx);
    expect(await byExe.exited).toBe('SIGKILL');
    expect((b.details.processes as Array<{ pid: number }>).map((p) => p.pid)).toEqual([byExe.child.pid]);
    const c = await kill({ sha256: byHash.sha256.toUpperCase(), signal: 'KILL' }, ctx);
    expect(await byHash.exited).toBe('SIGKILL');
    expect(c).toMatchObject({ ok: true, changed: true });
  });

  it('changes nothing in a dry run but lists what it would signal', async () => {
    const v = startVictim();
    await new Promise((r) => setTimeout(r, 100));
    const out = await kill({ name: v.name, signal: 'KILL' }, actionTestContext({ dryRun: true }));
    expect(out).toMatchObject({ ok: true, changed: false });
    expect(out.details.processes).toEqual([expect.objectContaining({ pid: v.child.pid, signalled: false })]);
    expect(await running(v.child)).toBe(true);
  });

  it('refuses pid 1, the agent itself and its parent, and signals nothing', async () => {
    for (const pid of [1, process.pid, process.ppid])
      await expect(kill({ pid, signal: 'CONT' }, actionTestContext())).rejects.toMatchObject({
        code: 'E_ACTION_REFUSED',
        message: expect.stringMatching(/init|agent itself|ancestor of the Vigil agent/),
      });
  });

  it('skips the agent when a pattern matches it, and refuses a pattern matching too many', async () => {
    const self = await kill(
      { exe: process.execPath, signal: 'CONT', max_processes: 1000 },
      actionTestContext({ dryRun: true }),
    );
    expect(self.details.skipped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pid: process.pid, reason: 'it is the Vigil agent itself' }),
      ]),
    );
    expect((self.details.processes as Array<{ pid: number }>).map((p) => p.pid)).not.toContain(process.pid);
    const a = startVictim();
    const b = startVictim();
    await new Promise((r) => setTimeout(r, 100));
    await expect(
      kill({ name: 'vkt*', signal: 'KILL', max_processes: 1 }, actionTestContext()),
    ).rejects.toMatchObject({ code: 'E_ACTION_REFUSED', message: expect.stringMatching(/max_processes/) });
    expect(await running(a.child)).toBe(true);
    expect(await running(b.child)).toBe(true);
  });

  it('reports a pid that does not exist and a pattern that matches nothing', async () => {
    await expect(kill({ pid: 4_194_000 }, actionTestContext())).rejects.toMatchObject({
      code: 'E_ACTION_TARGET_NOT_FOUND',
    });
    const none = await kill({ name: `nothing-${randomBytes(6).toString('hex')}` }, actionTestContext());
    expect(none).toMatchObject({ ok: true, changed: false, summary: expect.stringMatching(/no process/) });
  });
});
