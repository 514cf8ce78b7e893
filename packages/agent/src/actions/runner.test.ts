import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ActionDefinitionT, ActionResultBody, compileValidator } from '@vigil/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runChecked } from './linux/action-failure.js';
import { linuxActions } from './linux/index.js';
import { loadActions } from './load.js';
import { type ActionEnvironment, type ActionRequest, MAX_DETAILS_BYTES, runAction } from './runner.js';
import { ActionStore } from './store.js';
import type { ActionImpls } from './types.js';

const catalogue = new Map(loadActions().map((d) => [d.name, d]));
const resultValidator = compileValidator(ActionResultBody);
const stores: ActionStore[] = [];
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => {
  for (const s of stores) s.close();
});

function environment(
  over: Partial<ActionEnvironment> = {},
  stateDir = mkdtempSync(join(tmpdir(), 'vigil-runner-')),
) {
  const store = new ActionStore(stateDir);
  stores.push(store);
  const logs: string[] = [];
  const env: ActionEnvironment = {
    definitions: catalogue,
    impls: linuxActions,
    platform: 'linux',
    store,
    context: {
      serverAddresses: ['127.0.0.1'],
      agentPid: process.pid,
      protectedPaths: [stateDir],
      quarantineDir: join(stateDir, 'quarantine'),
      root: '/',
      log: (m) => logs.push(m),
    },
    ...over,
  };
  return { env, logs, stateDir };
}

let seq = 0;
function request(
  action: string,
  params: Record<string, unknown>,
  over: Partial<ActionRequest['body']> = {},
): ActionRequest {
  seq += 1;
  return {
    commandId: `cmd-${Date.now().toString(36)}-${seq}-${randomBytes(3).toString('hex')}`,
    body: { run_id: `run-${seq}-abcdefgh`, action, params, dry_run: false, timeout_s: 30, ...over },
  };
}

describe('runAction', () => {
  it('runs an action once per command id, across a re-opened store, and returns the stored result', async () => {
    const { env, stateDir } = environment();
    const marker = join(mkdtempSync(join(tmpdir(), 'vigil-idem-')), 'runs');
    const req = request('script.run', { script: `echo ran >> ${marker}; echo done` });
    const first = await runAction(req, env);
    expect(first).toMatchObject({
      status: 'succeeded',
      changed: true,
      command_id: req.commandId,
      run_id: req.body.run_id,
    });
    expect(resultValidator.check(first)).toBe(true);
    expect(await runAction(req, env)).toEqual(first);
    env.store.close();
    const reopened = environment({}, stateDir);
    expect(await runAction(req, reopened.env)).toEqual(first);
    expect(readFileSync(marker, 'utf8')).toBe('ran\n');
    // A different command id is a different run.
    await runAction({ ...req, commandId: `${req.commandId}-2` }, reopened.env);
    expect(readFileSync(marker, 'utf8')).toBe('ran\nran\n');
  });

  it('runs a command delivered twice at the same time only once', async () => {
    const { env } = environment();
    const marker = join(mkdtempSync(join(tmpdir(), 'vigil-idem-')), 'runs');
    const req = request('script.run', { script: `sleep 0.2; echo ran >> ${marker}` });
    const [a, b] = await Promise.all([runAction(req, env), runAction(req, env)]);
    expect(a).toEqual(b);
    expect(readFileSync(marker, 'utf8')).toBe('ran\n');
  });

  it('reports a run the agent died during as interrupted instead of running it again', async () => {
    const { env } = environment();
    const marker = join(mkdtempSync(join(tmpdir(), 'vigil-idem-')), 'runs');
    const req = request('script.run', { script: `echo ran >> ${marker}` });
    env.store.begin(req.commandId, req.body.run_id, req.body.action, Date.now() - 5000);
    const out = await runAction(req, env);
    expect(out).toMatchObject({ status: 'failed', error: { code: 'E_ACTION_INTERRUPTED' }, changed: false });
    expect(out.duration_ms).toBeGreaterThanOrEqual(5000);
    expect(existsSync(marker)).toBe(false);
    expect(env.store.unfinished()).toEqual([]);
  });

  it('refuses unknown actions, other platforms, missing implementations and bad parameters without running anything', async () => {
    const { env } = environment();
    const cases: Array<[ActionRequest, string, RegExp]> = [
      [request('nothing.here', {}), 'E_ACTION_UNKNOWN', /does not know/],
      [
        request('registry.delete_key', { key: 'HKLM\\SOFTWARE\\Vendor\\Bad' }),
        'E_ACTION_PLATFORM',
        /for windows, not linux/,
      ],
      [request('process.kill', { pid: 'x' }), 'E_ACTION_PARAMS', /'pid'/],
      [request('process.kill', { pid: 5, colour: 'red' }), 'E_ACTION_PARAMS', /colour/],
    ];
    for (const [req, code, why] of cases) {
      const out = await runAction(req, env);
      expect(out, code).toMatchObject({
        status: 'refused',
        changed: false,
        error: { code, message: expect.stringMatching(why) },
      });
      expect(resultValidator.check(out)).toBe(true);
    }
    const bare = environment({ impls: {} }).env;
    expect(await runAction(request('process.kill', { pid: 5 }), bare)).toMatchObject({
      status: 'refused',
      error: { code: 'E_ACTION_UNSUPPORTED' },
    });
    const noDry = new Map(catalogue);
    noDry.set('process.kill', { ...(catalogue.get('process.kill') as ActionDefinitionT), dry_run: false });
    expect(
      await runAction(
        request('process.kill', { pid: 5 }, { dry_run: true }),
        environment({ definitions: noDry }).env,
      ),
    ).toMatchObject({
      status: 'refused',
      error: { code: 'E_ACTION_NO_DRY_RUN' },
    });
  });

  it('stops an action at its timeout, kills what it started, and reports timed_out', async () => {
    const { env } = environment();
    const pidFile = join(mkdtempSync(join(tmpdir(), 'vigil-timeout-')), 'pid');
    const started = Date.now();
    const out = await runAction(
      request('script.run', { script: `sleep 60 & echo $! > ${pidFile}; wait` }, { timeout_s: 1 }),
      env,
    );
    expect(out).toMatchObject({ status: 'timed_out', error: { code: 'E_ACTION_TIMEOUT' } });
    expect(Date.now() - started).toBeLessThan(8000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    let alive = true;
    for (let i = 0; i < 50 && alive; i++) {
      alive = existsSync(`/proc/${pid}`) && !/\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      if (alive) await new Promise((r) => setTimeout(r, 20));
    }
    expect(alive).toBe(false);
  });

  it('maps what implementations throw to stable codes with exit code and stderr tail, never leaking a bug', async () => {
    const impls: ActionImpls = {
      'process.kill': async (_p, ctx) => {
        await runChecked(ctx, 'sh', ['-c', 'echo "line one" >&2; echo "permission denied: x" >&2; exit 4']);
        throw new Error('unreachable');
      },
      'file.delete': async () => {
        throw Object.assign(new Error('EROFS: read-only file system, unlink /x'), {
          code: 'EROFS',
          syscall: 'unlink',
          path: '/x',
        });
      },
      'cache.flush_dns': async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'secret')");
      },
    };
    const { env, logs } = environment({ impls });
    const failed = await runAction(request('process.kill', { pid: 5 }), env);
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'E_ACTION_COMMAND_FAILED', exit_code: 4, stderr_tail: 'line one\npermission denied: x' },
    });
    expect(await runAction(request('file.delete', { path: '/x' }), env)).toMatchObject({
      status: 'failed',
      error: { code: 'E_ACTION_COMMAND_FAILED', message: 'file.delete: unlink failed with EROFS on /x' },
    });
    const bug = await runAction(request('cache.flush_dns', {}), env);
    expect(bug).toMatchObject({ status: 'failed', error: { code: 'E_INTERNAL' } });
    expect(bug.error?.message).not.toMatch(/secret/);
    expect(logs.join('\n')).toMatch(/reading 'secret'/);
  });

  it('cuts oversized details and passes the undo only for a real change', async () => {
    const impls: ActionImpls = {
      'script.run': async () => ({
        ok: true,
        changed: true,
        summary: 'big',
        details: { out: 'x'.repeat(MAX_DETAILS_BYTES + 10) },
      }),
    };
    const big = await runAction(request('script.run', { script: 'true' }), environment({ impls }).env);
    expect(big.details).toEqual({ details_dropped: expect.stringMatching(/over the 700000 limit/) });
    const { env } = environment();
    const dir = mkdtempSync(join(tmpdir(), 'vigil-undo-'));
    writeFileSync(join(dir, 'f'), 'content');
    const dry = await runAction(request('file.quarantine', { path: join(dir, 'f') }, { dry_run: true }), env);
    expect(dry.undo).toBeUndefined();
    const real = await runAction(request('file.quarantine', { path: join(dir, 'f') }), env);
    expect(real.undo).toEqual({ action: 'file.restore', params: { id: real.details.id } });
    const back = await runAction(request('file.restore', real.undo!.params), env);
    expect(back).toMatchObject({ status: 'succeeded', changed: true });
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('content');
  });
});

describe.skipIf(process.getuid?.() !== 0)('every dry run changes nothing (real host, needs root)', () => {
  const username = `vgd${randomBytes(3).toString('hex')}`;
  beforeAll(() => {
    execFileSync('useradd', ['-M', '-s', '/bin/sh', '-p', '$6$s$x', username]);
  });
  afterAll(() => {
    execFileSync('userdel', ['-f', username], { stdio: 'ignore' });
  });

  it('leaves processes, files, accounts and the quarantine store as they were', async () => {
    const { env } = environment();
    const dir = mkdtempSync(join(tmpdir(), 'vigil-dry-'));
    const file = join(dir, 'target');
    writeFileSync(file, 'keep me');
    const marker = join(dir, 'script-ran');
    // A private copy, so the pattern below could never match anyone else's process.
    copyFileSync('/bin/sleep', join(dir, 'victim'));
    chmodSync(join(dir, 'victim'), 0o755);
    const victim = spawn(join(dir, 'victim'), ['300'], { stdio: 'ignore' });
    children.push(victim);
    const uid = Number(execFileSync('id', ['-u', username], { encoding: 'utf8' }));
    const userProc = spawn('/bin/sleep', ['300'], { uid, gid: uid, stdio: 'ignore' });
    children.push(userProc);
    await new Promise((r) => setTimeout(r, 100));
    const snapshot = () => ({
      file: readFileSync(file, 'utf8'),
      fileMode: statSync(file).mode,
      dir: readdirSync(dir).sort(),
      shadow: execFileSync('getent', ['shadow', username], { encoding: 'utf8' }),
      victim: victim.exitCode === null && victim.signalCode === null,
      userProc: userProc.exitCode === null && userProc.signalCode === null,
      quarantine: existsSync(env.context.quarantineDir) ? readdirSync(env.context.quarantineDir) : [],
    });
    const before = snapshot();
    const dryRuns: Array<[string, Record<string, unknown>]> = [
      ['process.kill', { pid: victim.pid }],
      ['process.kill', { exe: `${dir}/*` }],
      ['file.quarantine', { path: file }],
      ['file.delete', { path: file }],
      ['user.lock', { username }],
      ['user.unlock', { username }],
      ['user.logout', { username }],
      ['script.run', { script: `touch ${marker}` }],
      ['cache.flush_dns', {}],
      ['service.stop', { name: 'cron' }],
      ['service.disable', { name: 'cron' }],
      ['system.reboot', { delay_min: 0 }],
      ['system.shutdown', { delay_min: 0 }],
    ];
    for (const [action, params] of dryRuns) {
      const out = await runAction(request(action, params, { dry_run: true }), env);
      expect(out.changed, action).toBe(false);
      expect(out.dry_run).toBe(true);
      // Where systemd is missing the systemd actions refuse; every other dry run succeeds.
      expect(['succeeded', 'refused'], `${action}: ${out.summary}`).toContain(out.status);
      if (out.status === 'refused') expect(out.error?.code).toBe('E_ACTION_UNSUPPORTED');
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(snapshot()).toEqual(before);
  });
});
