/**
 * The journal auth monitor with real child processes: `tail -F` over a spool file stands in for
 * `journalctl -f -o json` (this machine runs no journald), so entries written in journalctl's JSON
 * form go through the real pipe, parser and rules; a child that exits is started again; and the
 * real journalctl accepts the monitor's arguments and is ended when the monitor stops.
 */
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findProgram } from '../../tables/collectors/command-runner.js';
import { MonitorBudget } from '../budget.js';
import { RuleEngine } from '../rules/engine.js';
import { loadRules } from '../rules/load.js';
import { renderRule } from '../rules/render.js';
import type { MonitorEvent } from '../types.js';
import { authSourceOf } from './auth-monitor.js';
import { JournalAuthMonitor, journalLine } from './journal-monitor.js';

const quiet = { warn: () => {}, info: () => {} };

async function waitFor(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** One entry as `journalctl -o json` prints it. */
function entry(i: number, message: string | number[], extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({
    __CURSOR: `s=abc;i=${i}`,
    __REALTIME_TIMESTAMP: String(1738324800000000 + i * 1_000_123),
    _HOSTNAME: 'web1',
    SYSLOG_FACILITY: '4',
    SYSLOG_IDENTIFIER: 'sshd',
    _PID: String(900 + i),
    MESSAGE: message,
    ...extra,
  })}\n`;
}

describe.skipIf(process.platform !== 'linux')('journal auth monitor', () => {
  let dir: string;
  let spool: string;
  let monitor: JournalAuthMonitor | undefined;
  const budget = () => new MonitorBudget({ report: () => {}, sample: () => ({ cpuPct: 0, rssBytes: 0 }) });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-journal-'));
    spool = join(dir, 'journal.json');
    writeFileSync(spool, '');
  });
  afterEach(async () => {
    await monitor?.stop();
    monitor = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('turns journal entries into the syslog lines the auth parser reads', () => {
    expect(
      journalLine({
        __REALTIME_TIMESTAMP: '1738324800123456',
        _HOSTNAME: 'web1',
        SYSLOG_IDENTIFIER: 'sshd',
        _PID: '912',
        MESSAGE: 'Failed password for root from 203.0.113.9 port 50000 ssh2',
      }),
    ).toBe(
      '2025-01-31T12:00:00.123456+00:00 web1 sshd[912]: Failed password for root from 203.0.113.9 port 50000 ssh2',
    );
    // A message the journal stored as bytes (not valid UTF-8 as a whole, or binary).
    expect(
      journalLine({
        SYSLOG_IDENTIFIER: 'sudo',
        MESSAGE: [...Buffer.from('eve : 3 incorrect password attempts')],
      }),
    ).toMatch(/ localhost sudo: eve : 3 incorrect password attempts$/);
    expect(journalLine({ SYSLOG_IDENTIFIER: 'sshd' })).toBeNull();
  });

  it('follows the stream: an SSH brute force in the journal fires the shipped rule with the journal as its source', async () => {
    const alerts: Array<{ rule: string; count: number; context: Record<string, unknown> }> = [];
    const engine = new RuleEngine({ emit: (a) => alerts.push(a), flushMs: () => 60_000 });
    engine.setRules(
      loadRules()
        .filter((r) => r.monitor === 'auth')
        .map((r) => renderRule(r)),
    );
    const events: MonitorEvent[] = [];
    monitor = new JournalAuthMonitor({
      stateDir: dir,
      budget: budget(),
      sink: (e) => {
        events.push(e);
        engine.handle(e);
      },
      log: quiet,
      command: ['tail', '-n', '0', '-F', spool],
    });
    await monitor.start();
    await new Promise((r) => setTimeout(r, 300));
    let text = '';
    for (let i = 0; i < 6; i++)
      text += entry(i, `Failed password for root from 203.0.113.9 port ${50000 + i} ssh2`);
    text += 'not json\n';
    text += entry(7, 'Server listening on 0.0.0.0 port 22.');
    text += entry(8, 'Accepted publickey for alice from 198.51.100.4 port 40000 ssh2: ED25519 SHA256:x');
    appendFileSync(spool, text);
    await waitFor('the journal events', () => events.length >= 7);
    expect(events.filter((e) => e.fields.type === 'ssh_failed')).toHaveLength(6);
    expect(events.find((e) => e.fields.type === 'ssh_accepted')?.fields).toMatchObject({
      user: 'alice',
      source_ip: '198.51.100.4',
      host: 'web1',
    });
    expect(events[0]?.context.auth).toEqual({
      log: 'journal',
      line: '2025-01-31T12:00:00.000000+00:00 web1 sshd[900]: Failed password for root from 203.0.113.9 port 50000 ssh2',
    });
    const brute = alerts.find((a) => a.rule === 'Linux.Auth.SshBruteForce');
    expect(brute).toBeDefined();
    expect(monitor.starts).toBe(1);
  });

  it('starts the child again when it exits', async () => {
    writeFileSync(spool, entry(1, 'Failed password for root from 203.0.113.9 port 50001 ssh2'));
    const events: MonitorEvent[] = [];
    monitor = new JournalAuthMonitor({
      stateDir: dir,
      budget: budget(),
      sink: (e) => events.push(e),
      log: quiet,
      command: ['cat', spool],
      restartMs: 50,
    });
    await monitor.start();
    await waitFor('three runs of the child', () => (monitor?.starts ?? 0) >= 3);
    expect(events.length).toBeGreaterThanOrEqual(2);
  });

  it.skipIf(findProgram('journalctl') === null)(
    'runs the real journalctl with its arguments, and ends it when stopped',
    async () => {
      const warnings: unknown[] = [];
      monitor = new JournalAuthMonitor({
        stateDir: dir,
        budget: budget(),
        sink: () => {},
        log: { warn: (o: unknown) => warnings.push(o) },
      });
      await monitor.start();
      await new Promise((r) => setTimeout(r, 1000));
      // Still following (journalctl refused no argument and did not exit).
      expect(monitor.starts).toBe(1);
      expect(warnings).toEqual([]);
      const pid = monitor.childPid();
      expect(pid).toBeGreaterThan(0);
      expect(() => process.kill(pid as number, 0)).not.toThrow();
      await monitor.stop();
      expect(() => process.kill(pid as number, 0)).toThrow(/ESRCH/);
      expect(monitor.starts).toBe(1);
    },
  );

  it('reads the journal only on the host, when no auth log file exists and journalctl is there', () => {
    const empty = mkdtempSync(join(tmpdir(), 'vigil-root-'));
    try {
      expect(authSourceOf(empty, undefined, () => true)).toEqual({ kind: 'file', path: '/var/log/auth.log' });
      expect(authSourceOf('/', '/var/log/custom.log', () => true)).toEqual({
        kind: 'file',
        path: '/var/log/custom.log',
      });
      const hostHasFile = ['/var/log/auth.log', '/var/log/secure'].some((p) => existsSync(p));
      expect(authSourceOf('/', undefined, () => true).kind).toBe(hostHasFile ? 'file' : 'journal');
      expect(authSourceOf('/', undefined, () => false).kind).toBe('file');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
