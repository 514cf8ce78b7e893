import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { actionTestContext } from '../test-context.js';
import { FLUSH_COMMANDS, linuxCacheActions } from './cache.js';
import { listProcesses } from './proc-scan.js';

const flush = linuxCacheActions['cache.flush_dns']!;
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/**
 * A stand-in dnsmasq: a script named `dnsmasq` (the kernel names a script's process after its
 * file) that records each SIGHUP, as the real one drops its cache on SIGHUP.
 */
async function fakeDnsmasq(): Promise<{ log: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-dns-'));
  const log = join(dir, 'hups');
  const script = join(dir, 'dnsmasq');
  writeFileSync(
    script,
    `#!/bin/sh\ntrap 'echo hup >> ${log}' HUP\necho ready > ${log}.ready\nwhile :; do sleep 0.05; done\n`,
    {
      mode: 0o755,
    },
  );
  children.push(spawn(script, [], { stdio: 'ignore' }));
  for (let i = 0; i < 100 && !existsSync(`${log}.ready`); i++) await new Promise((r) => setTimeout(r, 20));
  return { log };
}

describe('cache.flush_dns (real processes)', () => {
  it('uses fixed argv for resolvectl and nscd', () => {
    expect(FLUSH_COMMANDS['systemd-resolved']).toEqual({ program: 'resolvectl', args: ['flush-caches'] });
    expect(FLUSH_COMMANDS.nscd).toEqual({ program: 'nscd', args: ['-i', 'hosts'] });
  });

  it.skipIf(listProcesses().some((p) => ['dnsmasq', 'nscd', 'systemd-resolve'].includes(p.name)))(
    'sends SIGHUP to dnsmasq, reports the caches it did not find, and does nothing in a dry run',
    async () => {
      const none = await flush({}, actionTestContext());
      expect(none).toMatchObject({
        ok: true,
        changed: false,
        summary: expect.stringMatching(/nothing to flush/),
      });
      const { log } = await fakeDnsmasq();
      const dry = await flush({}, actionTestContext({ dryRun: true }));
      expect(dry).toMatchObject({ ok: true, changed: false });
      await new Promise((r) => setTimeout(r, 200));
      expect(existsSync(log)).toBe(false);
      const out = await flush({}, actionTestContext());
      expect(out).toMatchObject({ ok: true, changed: true, summary: 'flushed dnsmasq' });
      expect(out.details.caches).toEqual([
        { name: 'systemd-resolved', found: false, flushed: false, detail: 'systemd-resolved is not running' },
        { name: 'nscd', found: false, flushed: false, detail: 'nscd is not running' },
        expect.objectContaining({ name: 'dnsmasq', found: true, flushed: true }),
      ]);
      for (let i = 0; i < 50 && !existsSync(log); i++) await new Promise((r) => setTimeout(r, 20));
      expect(readFileSync(log, 'utf8')).toBe('hup\n');
    },
  );
});
