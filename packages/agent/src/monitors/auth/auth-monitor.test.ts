/** The auth monitor following a real file: lines appended, a partial line, rotation, a log created later. */
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MonitorBudget } from '../budget.js';
import type { MonitorEvent } from '../types.js';
import { AuthMonitor, defaultAuthLog } from './auth-monitor.js';

const quiet = { warn: () => {}, info: () => {} };
const failed = (i: number) =>
  `2025-01-31T12:00:${String(i % 60).padStart(2, '0')}.000000+00:00 web1 sshd[${100 + i}]: Failed password for root from 198.51.100.7 port ${40000 + i} ssh2\n`;

async function waitFor(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('auth monitor', () => {
  let root: string;
  let state: string;
  let events: MonitorEvent[];
  let monitor: AuthMonitor;
  const log = () => join(root, 'var/log/auth.log');

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'vigil-auth-'));
    state = mkdtempSync(join(tmpdir(), 'vigil-auth-state-'));
    mkdirSync(join(root, 'var/log'), { recursive: true });
    writeFileSync(log(), failed(0).repeat(3));
    events = [];
    const budget = new MonitorBudget({ report: () => {}, sample: () => ({ cpuPct: 0, rssBytes: 0 }) });
    monitor = new AuthMonitor({
      root,
      path: defaultAuthLog(root),
      stateDir: state,
      budget,
      sink: (e) => events.push(e),
      log: quiet,
    });
    await monitor.start();
  });

  afterEach(async () => {
    await monitor.stop();
    rmSync(root, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  });

  it('reports appended lines (not the history), once each, with the peer', async () => {
    for (let i = 1; i <= 20; i++) appendFileSync(log(), failed(i));
    await waitFor('20 events', () => events.length >= 20);
    await new Promise((r) => setTimeout(r, 200));
    expect(events).toHaveLength(20);
    expect(events[0]?.fields).toMatchObject({ type: 'ssh_failed', user: 'root', source_ip: '198.51.100.7' });
    expect(events[0]?.context.peer).toEqual({ ip: '198.51.100.7', port: 40001 });
    expect((events[19]!.context.auth as { line: string }).line).toContain('port 40020');
  });

  it('waits for the end of a line written in two parts', async () => {
    const line = failed(1);
    appendFileSync(log(), line.slice(0, 30));
    monitor.wake();
    expect(events).toHaveLength(0);
    appendFileSync(log(), line.slice(30));
    await waitFor('the event', () => events.length === 1);
    expect(events[0]?.fields.source_port).toBe(40001);
  });

  it('follows the log across rotation', async () => {
    renameSync(log(), `${log()}.1`);
    writeFileSync(log(), failed(7));
    await waitFor('the event from the new file', () => events.length === 1);
    expect(events[0]?.fields.source_port).toBe(40007);
  });

  it('says when a user logs in from an address not seen before', async () => {
    const accepted = (ip: string) =>
      `Jan 15 10:11:12 web1 sshd[77]: Accepted publickey for alice from ${ip} port 50022 ssh2\n`;
    appendFileSync(log(), accepted('10.0.0.1') + accepted('10.0.0.1') + accepted('10.0.0.2'));
    await waitFor('three events', () => events.length === 3);
    expect(events.map((e) => e.fields.new_source)).toEqual([false, false, true]);
  });
});
