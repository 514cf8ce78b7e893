/** The persistence monitor on a fixture root: a module appears in proc/modules, a setuid file appears. */
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MonitorBudget } from '../budget.js';
import type { MonitorEvent } from '../types.js';
import { PersistenceMonitor } from './persistence-monitor.js';

describe('persistence monitor', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  });

  it('reports kernel modules loaded after the start and new setuid files, each once', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vigil-persist-'));
    roots.push(root);
    mkdirSync(join(root, 'proc'));
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\n');
    writeFileSync(join(root, 'proc/modules'), 'ext4 1011712 2 - Live 0x0000000000000000\n');
    writeFileSync(join(root, 'usr/bin/passwd'), 'x');
    chmodSync(join(root, 'usr/bin/passwd'), 0o4755);
    const events: MonitorEvent[] = [];
    const budget = new MonitorBudget({ report: () => {}, sample: () => ({ cpuPct: 0, rssBytes: 0 }) });
    const monitor = new PersistenceMonitor({
      root,
      budget,
      sink: (e) => events.push(e),
      log: { warn: () => {} },
      modulesIntervalMs: 3600_000,
      suidDelayMs: 3600_000,
    });
    await monitor.start();
    try {
      expect(monitor.checkSuid()).toBe(0);
      appendFileSync(join(root, 'proc/modules'), 'diamorphine 16384 0 - Live 0x0000000000000000 (OE)\n');
      writeFileSync(join(root, 'usr/bin/rootsh'), 'x');
      chmodSync(join(root, 'usr/bin/rootsh'), 0o4755);
      expect(monitor.checkModules()).toBe(1);
      expect(monitor.checkModules()).toBe(0);
      expect(monitor.checkSuid()).toBe(1);
      expect(monitor.checkSuid()).toBe(0);
      expect(events.map((e) => e.fields)).toEqual([
        { type: 'module_loaded', module: 'diamorphine' },
        { type: 'suid_new', path: '/usr/bin/rootsh', owner: 'root', permissions: 'S' },
      ]);
    } finally {
      await monitor.stop();
    }
  });
});
