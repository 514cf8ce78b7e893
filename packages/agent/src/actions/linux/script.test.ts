import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { actionTestContext } from '../test-context.js';
import { linuxScriptActions } from './script.js';

const run = linuxScriptActions['script.run']!;
const leftovers = () => readdirSync(tmpdir()).filter((n) => n.startsWith('vigil-script-'));

describe('script.run (real /bin/sh)', () => {
  it('runs the body as root with its arguments, never through a command line', async () => {
    const before = leftovers();
    const out = await run(
      {
        script: 'echo "uid=$(id -u) args=$#"; printf "%s|" "$@"; echo; echo warn >&2',
        args: ['a b', '$(reboot)', ';'],
        user: 'root',
      },
      actionTestContext(),
    );
    expect(out).toMatchObject({
      ok: true,
      changed: true,
      details: {
        exit_code: 0,
        stdout: 'uid=0 args=3\na b|$(reboot)|;|\n',
        stderr: 'warn\n',
        truncated: false,
      },
    });
    expect(leftovers()).toEqual(before);
  });

  it('runs as nobody, who can read its own script but not root’s files', async () => {
    const out = await run(
      {
        script: 'id -un; id -u; cat /etc/shadow >/dev/null 2>&1 && echo READ || echo DENIED; echo "$HOME"',
        user: 'nobody',
      },
      actionTestContext(),
    );
    expect(out.details.stdout).toBe('nobody\n65534\nDENIED\n/nonexistent\n');
  });

  it('fails with the exit code and stderr tail when the script fails', async () => {
    const out = await run({ script: 'echo partial; echo "it broke" >&2; exit 7' }, actionTestContext());
    expect(out).toMatchObject({
      ok: false,
      details: { exit_code: 7, stdout: 'partial\n' },
      error: { code: 'E_ACTION_COMMAND_FAILED', exit_code: 7, stderr_tail: 'it broke' },
    });
  });

  it('cuts output at output_limit_bytes', async () => {
    const out = await run({ script: 'seq 1 200000', output_limit_bytes: 1024 }, actionTestContext());
    expect(out.details.truncated).toBe(true);
    expect(Buffer.byteLength(out.details.stdout as string)).toBe(1024);
    expect(out.ok).toBe(true);
  });

  it('is killed, with what it started, when the action times out, and leaves no temporary file', async () => {
    const before = leftovers();
    const ctx = actionTestContext();
    setTimeout(() => ctx.abort.abort(), 300);
    const started = Date.now();
    await expect(run({ script: 'sleep 60 & sleep 60; echo never' }, ctx)).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(leftovers()).toEqual(before);
  });

  it('changes nothing in a dry run and refuses an unknown user', async () => {
    const marker = `${tmpdir()}/vigil-dry-${Math.random()}`;
    const out = await run({ script: `touch ${marker}` }, actionTestContext({ dryRun: true }));
    expect(out).toMatchObject({ ok: true, changed: false });
    expect(existsSync(marker)).toBe(false);
    await expect(
      run({ script: 'true', user: 'no_such_user_vigil' }, actionTestContext()),
    ).rejects.toMatchObject({
      code: 'E_ACTION_TARGET_NOT_FOUND',
    });
  });
});
