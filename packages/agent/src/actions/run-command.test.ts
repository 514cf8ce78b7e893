import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCommandRunner } from './run-command.js';

const live = () => createCommandRunner({ signal: new AbortController().signal });

/** Whether a pid is alive (zombies count as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('createCommandRunner', () => {
  it('runs a program by name with an argument array: nothing is interpreted by a shell', async () => {
    const out = await live()('echo', ['$(id -u)', ';', 'rm', '-rf', '/', '`x`']);
    expect(out).toEqual({ code: 0, stdout: '$(id -u) ; rm -rf / `x`\n', stderr: '', truncated: false });
  });

  it('uses a fixed, minimal environment (the agent environment does not leak)', async () => {
    process.env.VIGIL_SECRET_TEST = 'leak';
    try {
      const out = await live()('env', [], { env: { EXTRA: '1' } });
      expect(out.stdout.trim().split('\n').sort()).toEqual([
        'EXTRA=1',
        'HOME=/',
        'LC_ALL=C',
        'PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/sbin:/usr/local/bin',
      ]);
    } finally {
      delete process.env.VIGIL_SECRET_TEST;
    }
  });

  it('reports a non-zero exit code with stderr and feeds stdin', async () => {
    const out = await live()('sh', ['-c', 'cat; echo oops >&2; exit 3'], { input: 'hello' });
    expect(out).toEqual({ code: 3, stdout: 'hello', stderr: 'oops\n', truncated: false });
  });

  it('cuts output at the byte limit and says so', async () => {
    const run = createCommandRunner({ signal: new AbortController().signal, maxOutputBytes: 1000 });
    const out = await run('seq', ['1', '100000']);
    expect(out.code).toBe(0);
    expect(out.truncated).toBe(true);
    expect(Buffer.byteLength(out.stdout)).toBe(1000);
    expect(out.stdout.startsWith('1\n2\n3\n')).toBe(true);
    const small = await run('seq', ['1', '3'], { maxOutputBytes: 4 });
    expect(small).toMatchObject({ stdout: '1\n2\n', truncated: true });
  });

  it('runs as a named user with that user’s ids, home and cwd /', async () => {
    const out = await live()('sh', ['-c', 'id -u; id -g; echo "$HOME $USER"; pwd'], { user: 'nobody' });
    expect(out.stdout).toBe('65534\n65534\n/nonexistent nobody\n/\n');
    const root = await live()('id', ['-u']);
    expect(root.stdout).toBe(`${process.getuid?.()}\n`);
  });

  it('refuses an unknown user, a relative path and a missing program with stable codes', async () => {
    await expect(live()('id', [], { user: 'no_such_user_vigil' })).rejects.toMatchObject({
      code: 'E_ACTION_TARGET_NOT_FOUND',
    });
    await expect(live()('id', [], { user: '-rf' })).rejects.toMatchObject({ code: 'E_ACTION_REFUSED' });
    await expect(live()('bin/sh', [])).rejects.toMatchObject({ code: 'E_ACTION_REFUSED' });
    await expect(live()('no-such-program-vigil', [])).rejects.toMatchObject({
      code: 'E_ACTION_UNSUPPORTED',
    });
  });

  it('kills the program and everything it started when the signal aborts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-run-'));
    const pidFile = join(dir, 'pid');
    const ac = new AbortController();
    const run = createCommandRunner({ signal: ac.signal });
    const started = Date.now();
    const pending = run('sh', ['-c', `sleep 60 & echo $! > ${pidFile}; wait`]);
    // The shell creates the file before it writes the pid: wait for the pid itself.
    const pidWritten = () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '';
    for (let i = 0; i < 250 && !pidWritten(); i++) await new Promise((r) => setTimeout(r, 20));
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(grandchild).toBeGreaterThan(1);
    expect(alive(grandchild)).toBe(true);
    ac.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(10_000);
    for (let i = 0; i < 50 && alive(grandchild); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(grandchild)).toBe(false);
    await expect(run('true', [])).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('returns when the program exits, killing a background child that kept its output open', async () => {
    const out = await live()('sh', ['-c', 'sleep 30 & echo $!']);
    expect(out.code).toBe(0);
    const grandchild = Number(out.stdout);
    for (let i = 0; i < 50 && alive(grandchild); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(grandchild)).toBe(false);
  });
});
