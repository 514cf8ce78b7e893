/**
 * script.run on Linux: the body goes into a private temporary file (directory 0700 and file 0700,
 * both owned by the chosen user), `/bin/sh FILE ARGS…` runs as that user through the action's
 * runner (argument array, fixed environment, output limit, killed with its children at the
 * timeout), and the temporary directory is removed whatever happens.
 */
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilError } from '@vigil/protocol/agent-runtime';
import type { ActionContext, ActionImpls, ActionOutcome } from '../types.js';
import { lookupUser } from '../users.js';
import { outputTail, runProgram } from './action-failure.js';

/** The interpreter every script runs with. */
export const SCRIPT_SHELL = '/bin/sh';

async function runScript(params: Record<string, unknown>, ctx: ActionContext): Promise<ActionOutcome> {
  const script = String(params.script);
  const args = (params.args as string[] | undefined) ?? [];
  const username = String(params.user ?? 'root');
  const limit = Number(params.output_limit_bytes ?? 65_536);
  const user = await lookupUser(username);
  if (!user) throw new VigilError('E_ACTION_TARGET_NOT_FOUND', `there is no user ${username} on this device`);
  const bytes = Buffer.byteLength(script);
  if (ctx.dryRun)
    return {
      ok: true,
      changed: false,
      summary: `would run a ${bytes}-byte script with ${SCRIPT_SHELL} as ${username} (uid ${user.uid})`,
      details: { user: username, uid: user.uid, script_bytes: bytes, args },
    };
  const dir = await mkdtemp(join(tmpdir(), 'vigil-script-'));
  try {
    const file = join(dir, 'script.sh');
    await writeFile(file, script, { mode: 0o700 });
    await chown(file, user.uid, user.gid);
    await chown(dir, user.uid, user.gid);
    const out = await runProgram(ctx, SCRIPT_SHELL, [file, ...args], {
      user: username,
      maxOutputBytes: limit,
    });
    const details = {
      user: username,
      uid: user.uid,
      exit_code: out.code,
      stdout: out.stdout,
      stderr: out.stderr,
      truncated: out.truncated,
    };
    // A script may change anything; whether it did is unknowable, so a run that happened counts as a change.
    if (out.code === 0)
      return { ok: true, changed: true, summary: `the script ran as ${username} and exited 0`, details };
    return {
      ok: false,
      changed: true,
      summary: `the script ran as ${username} and exited ${out.code}`,
      details,
      error: {
        code: 'E_ACTION_COMMAND_FAILED',
        message: `the script exited with code ${out.code}`,
        exit_code: out.code,
        ...(out.stderr ? { stderr_tail: outputTail(out.stderr) } : {}),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The Linux script action. */
export const linuxScriptActions: ActionImpls = {
  'script.run': runScript,
};
