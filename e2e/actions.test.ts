/**
 * Response actions end to end: a real server, two real `vigil agent` processes in one group, and
 * the real CLI for two admins.
 *
 * - process.kill of a `sleep` the test started next to each agent, rolled out one device per
 *   batch: the second agent's sleep lives on until the first batch has finished and the pause is
 *   over. Each agent runs in its own PID namespace (unshare), so "kill the process named sleep"
 *   means that host's own sleep, as it would on two machines.
 * - file.delete (high risk) waits for a second admin: the requester's own approval is refused and
 *   the file stays until the other admin approves.
 * - a dry run changes nothing; file.quarantine is undone by `vigil actions undo`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../packages/server/src/test-support/test-app.js';
import { type AgentProcess, enrollAgent, startAgentProcess, waitFor } from './helpers/agent-process.js';
import { runCliInProcess } from './helpers/cli-in-process.js';
import { cliCommand, cliEnv, REPO_ROOT, runCli } from './helpers/cli-process.js';

/** Whether this machine lets the test give each agent its own PID namespace. */
function canUnshare(): boolean {
  try {
    execFileSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
const NAMESPACES = canUnshare();
if (!NAMESPACES)
  console.warn('unshare --pid is not permitted here: the process.kill rollout test is SKIPPED (needs root)');

/** Processes whose parent is `pid`, with their command names. */
function childrenOf(pid: number): Array<{ pid: number; comm: string; state: string }> {
  const out: Array<{ pid: number; comm: string; state: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const [state, ppid] = stat.slice(close + 2).split(' ');
      if (Number(ppid) === pid)
        out.push({ pid: Number(entry), comm: stat.slice(stat.indexOf('(') + 1, close), state: state ?? '' });
    } catch {
      // It exited while we looked.
    }
  }
  return out;
}

/** Whether a process still runs (a zombie no longer does). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * `vigil agent run` as PID 1 of a new PID namespace, with a `sleep 600` started beside it.
 * Returns the agent process and the sleep's pid as this (outer) namespace sees it.
 */
async function startAgentWithSleep(
  stateDir: string,
  env: Record<string, string>,
): Promise<{ agent: AgentProcess; sleepPid: number }> {
  const child = spawn(
    'unshare',
    [
      '--pid',
      '--mount-proc',
      '--kill-child',
      'sh',
      '-c',
      // `: &` takes pid 2 first: process.kill treats pid 2 of any namespace as kthreadd's slot.
      ': & sleep 600 & exec "$@"',
      'sh',
      process.execPath,
      ...cliCommand(['agent', 'run', '--state', stateDir, '--log-level', 'info']),
    ],
    {
      cwd: REPO_ROOT,
      env: cliEnv({ VIGIL_AGENT_BACKOFF_MS: '200', ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout?.on('data', (d) => {
    log += String(d);
  });
  child.stderr?.on('data', (d) => {
    log += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const agent: AgentProcess = {
    stateDir,
    process: child,
    log: () => log,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
  let sleepPid = 0;
  await waitFor(() => {
    const init = childrenOf(child.pid as number)[0];
    sleepPid = init ? (childrenOf(init.pid).find((c) => c.comm === 'sleep')?.pid ?? 0) : 0;
    return sleepPid > 0;
  }, 10_000);
  if (!sleepPid) throw new Error(`no sleep beside the agent in ${stateDir}:\n${log}`);
  return { agent, sleepPid };
}

describe('response actions on two real agents', () => {
  let s: TestServer;
  const agents: AgentProcess[] = [];
  const ids: Record<string, string> = {};
  const sleeps: Record<string, number> = {};
  const work = mkdtempSync(join(tmpdir(), 'vigil-actions-e2e-'));
  let secondAdmin = '';
  const cli = (token: string) => ({
    VIGIL_SERVER: s.url,
    VIGIL_TOKEN: token,
    VIGIL_CA_FINGERPRINT: s.vigil.services.keys.caFingerprint,
    VIGIL_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'vigil-cli-')),
  });
  const run = async (id: string) =>
    (await s.call('GET', `/api/v1/actions/${id}`, { token: s.adminToken })).body;
  const runIdOf = (text: string) => /Run (\S+):/.exec(text)?.[1] ?? '';

  beforeAll(async () => {
    s = await startTestServer('sqlite', {
      heartbeat: 2,
      poll: 2,
      actions: { sweepMs: 250, resumeGraceMs: 0 },
    });
    await s.call('POST', '/api/v1/groups', { token: s.adminToken, body: { name: 'lab', kind: 'static' } });
    const token = (
      await s.call('POST', '/api/v1/enrollment-tokens', { token: s.adminToken, body: { group: 'lab' } })
    ).body.token as string;
    for (const name of ['act-a', 'act-b']) {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-agent-'));
      const env = { VIGIL_AGENT_MACHINE_ID: `m-${name}`, VIGIL_AGENT_HOSTNAME: name };
      const r = await enrollAgent(s.url, token, s.vigil.services.keys.caFingerprint, dir, env);
      expect(r.code, r.stderr).toBe(0);
      ids[name] = JSON.parse(readFileSync(join(dir, 'agent.json'), 'utf8')).agent_id;
      if (NAMESPACES) {
        const started = await startAgentWithSleep(dir, env);
        agents.push(started.agent);
        sleeps[name] = started.sleepPid;
      } else agents.push(startAgentProcess(dir, env));
    }
    const online = await waitFor(async () => {
      const list = (await s.call('GET', '/api/v1/devices?status=online', { token: s.adminToken })).body.items;
      return list.length === 2;
    }, 30_000);
    expect(online, agents.map((a) => a.log()).join('\n---\n')).toBe(true);
    secondAdmin = await s.tokenFor('admin', 'second-admin@example.test');
  }, 120_000);
  afterAll(async () => {
    for (const a of agents) await a.stop('SIGKILL');
    await s?.stop();
  });

  it.skipIf(!NAMESPACES)(
    'kills each host’s sleep one batch at a time: batch 2 starts only after batch 1 finished and the pause',
    async () => {
      expect(running(sleeps['act-a'] as number) && running(sleeps['act-b'] as number)).toBe(true);
      const cliRun = runCli(
        [
          'actions',
          'run',
          'process.kill',
          '--param',
          'name=sleep',
          '--target',
          'group:lab',
          '--batch-size',
          '1',
          '--pause',
          '3s',
          '--wait',
          '--timeout',
          '2m',
        ],
        { env: cli(s.adminToken), timeoutMs: 150_000 },
      );
      // Between the batches: a's sleep is gone, b's still runs and b has not been sent anything.
      let between: any;
      expect(
        await waitFor(
          async () => {
            const list = (await s.call('GET', '/api/v1/actions?action=process.kill', { token: s.adminToken }))
              .body.items;
            if (!list[0]) return false;
            between = await run(list[0].id);
            return between.devices.some((d: any) => d.hostname === 'act-a' && d.status === 'succeeded');
          },
          60_000,
          100,
        ),
      ).toBe(true);
      const b = between.devices.find((d: any) => d.hostname === 'act-b');
      expect(b).toMatchObject({ batch: 2, status: 'pending', sent_at: null });
      expect(running(sleeps['act-a'] as number), JSON.stringify(between.devices)).toBe(false);
      expect(running(sleeps['act-b'] as number)).toBe(true);

      const r = await cliRun;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.indexOf('batch 1: act-a succeeded')).toBeGreaterThanOrEqual(0);
      expect(r.stderr.indexOf('batch 2: act-b succeeded')).toBeGreaterThan(
        r.stderr.indexOf('batch 1: act-a succeeded'),
      );
      expect(running(sleeps['act-b'] as number)).toBe(false);
      const done = await run(between.id);
      expect(done).toMatchObject({ status: 'completed', batch_count: 2, counts: { succeeded: 2 } });
      const [a, bb] = ['act-a', 'act-b'].map((h) => done.devices.find((d: any) => d.hostname === h));
      expect(Date.parse(bb.sent_at) - Date.parse(a.finished_at)).toBeGreaterThanOrEqual(3000);
      for (const d of [a, bb]) {
        expect(d.result.changed).toBe(true);
        expect(d.result.details.processes).toEqual([
          expect.objectContaining({ name: 'sleep', signalled: true, gone: true }),
        ]);
      }
    },
    180_000,
  );

  it('holds a high-risk file.delete for a second admin, refuses self-approval, then deletes', async () => {
    const victim = join(work, 'victim.txt');
    writeFileSync(victim, 'delete me\n');
    const req = await runCli(
      [
        'actions',
        'run',
        'file.delete',
        '--param',
        `path=${victim}`,
        '--target',
        `device:${ids['act-a']}`,
        '--reason',
        'e2e',
      ],
      { env: cli(s.adminToken) },
    );
    expect(req.code, req.stderr).toBe(0);
    expect(req.stdout).toContain("waits for a second admin's approval");
    const id = runIdOf(req.stdout);
    const self = await runCliInProcess(['actions', 'approve', id], cli(s.adminToken));
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/^error E_APPROVAL_SELF: /);
    await new Promise((r) => setTimeout(r, 1000));
    expect(existsSync(victim)).toBe(true);
    expect((await run(id)).status).toBe('pending_approval');

    const ok = await runCliInProcess(['actions', 'approve', id, '--reason', 'checked'], cli(secondAdmin));
    expect(ok.code, ok.stderr).toBe(0);
    expect(await waitFor(async () => (await run(id)).status === 'completed', 60_000, 200)).toBe(true);
    expect(existsSync(victim)).toBe(false);
    const status = await runCliInProcess(['actions', 'status', id], cli(s.adminToken));
    expect(status.stdout).toContain('second-admin@example.test');
    expect(status.stdout).toMatch(/act-a\s+1\s+succeeded/);
    const audit = (
      await s.call('GET', `/api/v1/audit?target=action_run:${id}`, { token: s.adminToken })
    ).body.items.map((e: any) => `${e.action}:${e.outcome}`);
    for (const k of [
      'action.request:success',
      'action.approve:failure',
      'action.approve:success',
      'action.send:success',
      'action.result:success',
    ])
      expect(audit).toContain(k);
  }, 120_000);

  it('a dry run on the group changes nothing and needs no approval', async () => {
    const keep = join(work, 'keep.txt');
    writeFileSync(keep, 'keep me\n');
    const r = await runCli(
      [
        'actions',
        'run',
        'file.delete',
        '--param',
        `path=${keep}`,
        '--target',
        'group:lab',
        '--dry-run',
        '--wait',
        '--json',
      ],
      { env: cli(s.adminToken), timeoutMs: 90_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const done = JSON.parse(r.stdout);
    expect(done).toMatchObject({
      status: 'completed',
      dry_run: true,
      approval_required: false,
      counts: { succeeded: 2 },
    });
    for (const d of done.devices) expect(d.result).toMatchObject({ dry_run: true, changed: false });
    expect(readFileSync(keep, 'utf8')).toBe('keep me\n');
  }, 120_000);

  it('undoes a quarantine with vigil actions undo', async () => {
    const doubtful = join(work, 'doubtful.bin');
    writeFileSync(doubtful, 'maybe malware\n');
    const q = await runCli(
      [
        'actions',
        'run',
        'file.quarantine',
        '--param',
        `path=${doubtful}`,
        '--target',
        `device:${ids['act-b']}`,
        '--wait',
      ],
      { env: cli(s.adminToken), timeoutMs: 90_000 },
    );
    expect(q.code, q.stderr).toBe(0);
    expect(existsSync(doubtful)).toBe(false);
    const undo = await runCliInProcess(['actions', 'undo', runIdOf(q.stdout), '--wait'], cli(s.adminToken));
    expect(undo.code, undo.stderr).toBe(0);
    expect(undo.stdout).toContain('file.restore completed');
    expect(readFileSync(doubtful, 'utf8')).toBe('maybe malware\n');
  }, 120_000);
});
