/**
 * system.cleanup for real: old and new files the test creates in a temporary directory it
 * passes as a parameter, and an apt download cache the test fills (through APT_CONFIG, so the
 * host's own cache is only listed, never cleaned). The dry run must list exactly what the real
 * run then removes, and nothing else may go.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { findProgram } from '../../tables/collectors/command-runner.js';
import { createCommandRunner } from '../run-command.js';
import type { ActionContext, ActionOutcome, CommandRunner } from '../types.js';
import { linuxCleanupActions } from './cleanup.js';
import { findOldFiles, removeOldFiles } from './old-temp-files.js';
import { writeAptConfig } from './test-support/deb-repo.js';

const DAY_S = 86_400;
const work = mkdtempSync(join(tmpdir(), 'vigil-cleanup-test-'));
const hasApt = findProgram('apt-get') !== null && findProgram('apt-config') !== null;

function runnerWith(env: Record<string, string>): (signal: AbortSignal) => CommandRunner {
  return (signal) => {
    const real = createCommandRunner({ signal });
    return (program, args, options = {}) =>
      real(program, args, { ...options, env: { ...options.env, ...env } });
  };
}

function ctx(
  overrides: Partial<ActionContext> & { runner?: (s: AbortSignal) => CommandRunner } = {},
): ActionContext {
  const signal = AbortSignal.timeout(120_000);
  const { runner, ...rest } = overrides;
  return {
    dryRun: false,
    signal,
    run: (runner ?? ((s) => createCommandRunner({ signal: s })))(signal),
    serverAddresses: ['127.0.0.1'],
    agentPid: process.pid,
    protectedPaths: [],
    quarantineDir: join(work, 'quarantine'),
    root: '/',
    log: () => {},
    ...rest,
  };
}

const cleanup = (params: Record<string, unknown>, c: ActionContext) =>
  (linuxCleanupActions['system.cleanup'] as NonNullable<(typeof linuxCleanupActions)['system.cleanup']>)(
    params,
    c,
  );

function ageFile(path: string, days: number) {
  const t = Date.now() / 1000 - days * DAY_S;
  utimesSync(path, t, t);
}

function file(path: string, body: string, days: number): string {
  writeFileSync(path, body);
  ageFile(path, days);
  return path;
}

function tempPaths(outcome: ActionOutcome): string[] {
  const removed = outcome.details.removed as { temp_files: { items: { path: string }[] } };
  return removed.temp_files.items.map((i) => i.path).sort();
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('system.cleanup on Linux', { timeout: 120_000 }, () => {
  let dir: string;
  let old: string[];
  let keep: string[];
  let outside: string;
  let protectedDir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(work, 'tmp-'));
    mkdirSync(join(dir, 'nested/deeper'), { recursive: true });
    protectedDir = join(dir, 'agent-state');
    mkdirSync(protectedDir);
    outside = file(join(work, `outside-${Date.now()}`), 'must survive', 30);
    const oldLink = join(dir, 'old-link');
    symlinkSync(outside, oldLink);
    const t = Date.now() / 1000 - 30 * DAY_S;
    execFileSync('touch', ['-h', '-d', `@${Math.floor(t)}`, oldLink]);
    old = [
      file(join(dir, 'old.log'), 'x'.repeat(1000), 30),
      file(join(dir, 'nested/deeper/old.bin'), 'y'.repeat(500), 8),
      oldLink,
    ].sort();
    keep = [
      file(join(dir, 'fresh.log'), 'new', 1),
      file(join(dir, 'nested/half-old.txt'), 'six days', 6),
      file(join(protectedDir, 'old-but-protected'), 'agent', 30),
    ];
    execFileSync('mkfifo', [join(dir, 'old-fifo')]);
    ageFile(join(dir, 'old-fifo'), 30);
    keep.push(join(dir, 'old-fifo'));
  });

  it('the dry run lists exactly the old files, and the real run removes exactly those', async () => {
    const params = { temp_dirs: [dir], older_than_days: 7, package_cache: false, old_kernels: false };
    const c = ctx({ protectedPaths: [protectedDir] });
    const dry = await cleanup(params, { ...c, dryRun: true });
    expect(dry).toMatchObject({ ok: true, changed: false, details: { temp_dirs: [dir], bytes_freed: 1500 } });
    expect(tempPaths(dry)).toEqual(old);
    // lstat, not stat: following the symlink would update its atime and make it "used".
    for (const path of [...old, ...keep]) expect(lstatSync(path, { throwIfNoEntry: false })).toBeDefined();

    const real = await cleanup(params, c);
    expect(real).toMatchObject({ ok: true, changed: true, details: { bytes_freed: 1500, skipped: [] } });
    expect(tempPaths(real)).toEqual(tempPaths(dry));
    for (const path of old) expect(lstatSync(path, { throwIfNoEntry: false })).toBeUndefined();
    for (const path of keep) expect(existsSync(path)).toBe(true);
    expect(existsSync(outside)).toBe(true);
    expect(existsSync(join(dir, 'nested/deeper'))).toBe(true);

    const again = await cleanup(params, c);
    expect(again).toMatchObject({ ok: true, changed: false, summary: 'nothing to clean up' });
  });

  it('removes a listed file only if it is still the same old file at the same place', async () => {
    const sub = join(dir, 'race');
    mkdirSync(join(sub, 'inner'), { recursive: true });
    const used = file(join(sub, 'used.log'), 'z', 30);
    const swapped = file(join(sub, 'swapped.log'), 'z', 30);
    const moved = file(join(sub, 'inner/moved.log'), 'z', 30);
    const untouched = file(join(sub, 'untouched.log'), 'z', 30);
    const signal = AbortSignal.timeout(30_000);
    const cutoff = Date.now() - 7 * DAY_S * 1000;
    const scan = await findOldFiles([sub], cutoff, [], signal);
    expect(scan.files.map((f) => f.path).sort()).toEqual([moved, swapped, untouched, used].sort());

    writeFileSync(used, 'used again');
    file(join(sub, 'replacement'), 'other', 30);
    renameSync(join(sub, 'replacement'), swapped);
    const elsewhere = mkdtempSync(join(work, 'elsewhere-'));
    const victim = file(join(elsewhere, 'moved.log'), 'must survive', 30);
    renameSync(join(sub, 'inner'), join(sub, 'inner-was-here'));
    symlinkSync(elsewhere, join(sub, 'inner'));

    const result = await removeOldFiles(scan.files, cutoff, signal);
    expect(result.removed.map((f) => f.path)).toEqual([untouched]);
    expect(result.skipped.map((s) => s.path).sort()).toEqual([moved, swapped, used].sort());
    for (const path of [used, swapped, victim, join(sub, 'inner-was-here/moved.log')])
      expect(existsSync(path)).toBe(true);
    expect(existsSync(untouched)).toBe(false);
  });

  it('refuses directories that are not temporary directories', async () => {
    for (const bad of ['/etc', '/', `${dir}/../../../etc`, 'tmp', '/var/lib']) {
      const outcome = await cleanup({ temp_dirs: [bad], package_cache: false }, ctx({ dryRun: true }));
      expect(outcome).toMatchObject({ ok: false, changed: false, error: { code: 'E_ACTION_REFUSED' } });
    }
    const missing = await cleanup(
      { temp_dirs: [join(dir, 'nope')], package_cache: false },
      ctx({ dryRun: true }),
    );
    expect(missing).toMatchObject({ ok: false, error: { code: 'E_ACTION_TARGET_NOT_FOUND' } });
  });

  it.skipIf(!hasApt)(
    'cleans the apt download cache: listed by the dry run, removed by apt-get clean',
    async () => {
      const aptDir = mkdtempSync(join(work, 'apt-'));
      const aptConfig = writeAptConfig(aptDir, []);
      const archives = join(aptDir, 'cache/archives');
      const debs = ['a_1.0_all.deb', 'b_2.0_amd64.deb'].map((n) =>
        file(join(archives, n), 'deb'.repeat(100), 0),
      );
      const partial = file(join(archives, 'partial/c_1.0_all.deb'), 'part', 0);
      file(join(archives, 'lock'), '', 0);
      const runner = runnerWith({ APT_CONFIG: aptConfig });
      const params = { package_cache: true, temp_files: false };

      const dry = await cleanup(params, ctx({ runner, dryRun: true }));
      const listedCache = (
        dry.details.removed as { package_cache: { items: { path: string; bytes: number }[] } }
      ).package_cache.items;
      expect(listedCache.map((i) => i.path).sort()).toEqual([...debs, partial].sort());
      expect(dry.details.bytes_freed).toBe(604);
      expect(readdirSync(archives).sort()).toEqual(['a_1.0_all.deb', 'b_2.0_amd64.deb', 'lock', 'partial']);

      const real = await cleanup(params, ctx({ runner }));
      expect(real).toMatchObject({ ok: true, changed: true, details: { bytes_freed: 604, skipped: [] } });
      expect(readdirSync(archives).sort()).toEqual(['lock', 'partial']);
      expect(readdirSync(join(archives, 'partial'))).toEqual([]);
    },
  );

  it.skipIf(!hasApt)(
    "lists the host's own apt cache and old kernels in a dry run without touching them",
    async () => {
      const before = readdirSync('/var/cache/apt/archives').sort();
      const dry = await cleanup(
        { package_cache: true, old_kernels: true, temp_files: false },
        ctx({ dryRun: true }),
      );
      expect(dry).toMatchObject({ ok: true, changed: false, details: { manager: 'apt' } });
      const removed = dry.details.removed as {
        package_cache: { items: { path: string }[]; count: number };
        kernels: { items: { package: string }[] };
      };
      const debsOnHost = before.filter((n) => n.endsWith('.deb'));
      expect(removed.package_cache.count).toBeGreaterThanOrEqual(debsOnHost.length);
      for (const k of removed.kernels.items)
        expect(k.package).not.toContain(execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim());
      expect(readdirSync('/var/cache/apt/archives').sort()).toEqual(before);
    },
  );
});
