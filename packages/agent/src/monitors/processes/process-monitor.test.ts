/**
 * The process monitor on this machine's real /proc, with processes the test starts: a miner name
 * run from /tmp, a binary deleted after it started, a shell whose stdin and stdout are a TCP
 * socket, and a process disguised as a kernel thread. The shipped rules decide what fires.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { AlertEventBodyT } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MonitorBudget } from '../budget.js';
import { RuleEngine } from '../rules/engine.js';
import { loadRules } from '../rules/load.js';
import { renderRule } from '../rules/render.js';
import type { MonitorEvent } from '../types.js';
import { nameBase, ProcessMonitor } from './process-monitor.js';

const SLEEP = '/bin/sleep';

describe.skipIf(process.platform !== 'linux')('process monitor', () => {
  const children: ChildProcess[] = [];
  let dir: string;
  let server: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    dir = mkdtempSync('/tmp/vigil-proc-');
    server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  function start(
    cmd: string,
    args: string[],
    stdio: Parameters<typeof spawn>[2]['stdio'] = 'ignore',
  ): ChildProcess {
    const c = spawn(cmd, args, { stdio });
    children.push(c);
    return c;
  }

  it('names interpreters the way the rules list them', () => {
    expect(nameBase('python3.11')).toBe('python3');
    expect(nameBase('bash-5.2')).toBe('bash');
    expect(nameBase('Xmrig')).toBe('xmrig');
  });

  it('sees new processes within one scan, with the fields and context the rules need', async () => {
    const events: MonitorEvent[] = [];
    const alerts: AlertEventBodyT[] = [];
    const budget = new MonitorBudget({ report: () => {}, sample: () => ({ cpuPct: 0, rssBytes: 0 }) });
    const engine = new RuleEngine({ emit: (b) => alerts.push(b), flushMs: () => 60_000 });
    engine.setRules(
      loadRules()
        .filter((r) => r.monitor === 'processes')
        .map((r) => renderRule(r)),
    );
    const monitor = new ProcessMonitor({
      root: '/',
      budget,
      sink: (e) => {
        events.push(e);
        engine.handle(e);
      },
      log: { warn: () => {} },
      intervalMs: 60_000,
    });
    await monitor.start();
    try {
      const miner = join(dir, 'xmrig');
      copyFileSync(SLEEP, miner);
      const m = start(miner, ['30']);
      const gone = join(dir, 'vanishing');
      copyFileSync(SLEEP, gone);
      const g = start(gone, ['30']);
      await new Promise((r) => setTimeout(r, 100));
      unlinkSync(gone);
      const sock = connect((server.address() as { port: number }).port, '127.0.0.1');
      await new Promise((r) => sock.once('connect', r));
      const shell = start('/bin/bash', ['-c', 'sleep 30; exit 0'], [sock, sock, 'ignore']);
      const fake = start('/bin/bash', ['-c', `exec -a '[kworker/7:7]' ${SLEEP} 30`]);
      // Like a systemd service: stdin /dev/null, output to a socket — not a socket terminal.
      const sock2 = connect((server.address() as { port: number }).port, '127.0.0.1');
      await new Promise((r) => sock2.once('connect', r));
      const service = start('/bin/bash', ['-c', 'sleep 30; exit 0'], ['ignore', sock2, sock2]);
      await new Promise((r) => setTimeout(r, 300));
      await monitor.scan();
      const byPid = (pid: number | undefined) => events.find((e) => e.fields.pid === pid);

      expect(byPid(m.pid)?.fields).toMatchObject({
        name_lower: 'xmrig',
        exe: miner,
        exe_dir: dir,
        exe_deleted: false,
      });
      const tree = byPid(m.pid)?.context.process_tree as Array<Record<string, unknown>>;
      expect(tree[0]).toMatchObject({ pid: m.pid, ppid: process.pid, user: 'root' });
      expect(tree[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(tree[1]?.pid).toBe(process.pid);
      expect(byPid(g.pid)?.fields.exe_deleted).toBe(true);
      expect(byPid(shell.pid)?.fields).toMatchObject({
        name_base: 'bash',
        stdio_socket: true,
        peer_ip: '127.0.0.1',
      });
      expect(byPid(fake.pid)?.fields.fake_kernel_thread).toBe(true);
      expect(byPid(service.pid)?.fields).toMatchObject({ name_base: 'bash', stdio_socket: false });
      expect(byPid(m.pid)?.fields.fake_kernel_thread).toBe(false);

      const fired = (pid: number | undefined) =>
        alerts
          .filter((a) => (a.context.event as { pid?: number }).pid === pid)
          .map((a) => a.rule)
          .sort();
      expect(fired(m.pid)).toEqual([
        'Linux.Processes.ExecutableInTempDir',
        'Linux.Processes.KnownBadProcess',
      ]);
      expect(fired(g.pid)).toEqual([
        'Linux.Processes.DeletedExecutable',
        'Linux.Processes.ExecutableInTempDir',
      ]);
      expect(fired(shell.pid)).toEqual(['Linux.Processes.ReverseShell']);
      expect(fired(fake.pid)).toEqual(['Linux.Processes.FakeKernelThread']);
      expect(fired(service.pid)).toEqual([]);
      // A second scan reports none of them again (this host runs other tests, so other processes may be new).
      const ours = new Set([m.pid, g.pid, shell.pid, fake.pid, service.pid]);
      const before = events.length;
      await monitor.scan();
      expect(events.slice(before).filter((e) => ours.has(e.fields.pid as number))).toEqual([]);
    } finally {
      await monitor.stop();
    }
  });
});
