/**
 * cache.flush_dns on Linux: empties each local DNS cache that is present — systemd-resolved
 * (`resolvectl flush-caches`), nscd (`nscd -i hosts`) and dnsmasq (SIGHUP, which makes it drop
 * its cache) — and says which it found. A host without any succeeds with nothing changed.
 */
import { findProgram } from '../../tables/collectors/command-runner.js';
import type { ActionContext, ActionImpls, ActionOutcome } from '../types.js';
import { outputTail, runProgram } from './action-failure.js';
import { listProcesses } from './proc-scan.js';

/** What happened to one cache. */
export interface CacheReport {
  name: 'systemd-resolved' | 'nscd' | 'dnsmasq';
  found: boolean;
  flushed: boolean;
  detail: string;
}

/** The argv that flushes each program-driven cache. */
export const FLUSH_COMMANDS = {
  'systemd-resolved': { program: 'resolvectl', args: ['flush-caches'] },
  nscd: { program: 'nscd', args: ['-i', 'hosts'] },
} as const;

async function flushByCommand(
  ctx: ActionContext,
  name: 'systemd-resolved' | 'nscd',
  running: boolean,
): Promise<CacheReport> {
  const { program, args } = FLUSH_COMMANDS[name];
  if (!running) return { name, found: false, flushed: false, detail: `${name} is not running` };
  if (findProgram(program) === null)
    return { name, found: true, flushed: false, detail: `${name} runs but ${program} is not installed` };
  if (ctx.dryRun)
    return { name, found: true, flushed: false, detail: `would run ${program} ${args.join(' ')}` };
  const out = await runProgram(ctx, program, [...args]);
  if (out.code !== 0)
    return {
      name,
      found: true,
      flushed: false,
      detail: `${program} exited with ${out.code}: ${outputTail(out.stderr || out.stdout, 500)}`,
    };
  return { name, found: true, flushed: true, detail: `${program} ${args.join(' ')}` };
}

async function flushDns(_params: Record<string, unknown>, ctx: ActionContext): Promise<ActionOutcome> {
  const procs = listProcesses(ctx.root);
  // comm is cut to 15 characters: systemd-resolved shows as "systemd-resolve".
  const resolved = procs.some((p) => p.name === 'systemd-resolve');
  const nscd = procs.some((p) => p.name === 'nscd');
  const dnsmasq = procs.filter((p) => p.name === 'dnsmasq');
  const caches: CacheReport[] = [
    await flushByCommand(ctx, 'systemd-resolved', resolved),
    await flushByCommand(ctx, 'nscd', nscd),
  ];
  if (dnsmasq.length === 0)
    caches.push({ name: 'dnsmasq', found: false, flushed: false, detail: 'not running' });
  else if (ctx.dryRun)
    caches.push({
      name: 'dnsmasq',
      found: true,
      flushed: false,
      detail: `would send SIGHUP to pid ${dnsmasq.map((p) => p.pid).join(', ')}`,
    });
  else {
    const failed: string[] = [];
    for (const p of dnsmasq) {
      try {
        process.kill(p.pid, 'SIGHUP');
      } catch (error) {
        failed.push(`${p.pid}: ${(error as NodeJS.ErrnoException).code}`);
      }
    }
    caches.push({
      name: 'dnsmasq',
      found: true,
      flushed: failed.length === 0,
      detail:
        failed.length === 0
          ? `SIGHUP sent to pid ${dnsmasq.map((p) => p.pid).join(', ')}`
          : failed.join('; '),
    });
  }
  const found = caches.filter((c) => c.found);
  const failed = found.filter((c) => !c.flushed && !ctx.dryRun);
  const names = (list: CacheReport[]) => list.map((c) => c.name).join(', ');
  if (failed.length > 0)
    return {
      ok: false,
      changed: found.length > failed.length,
      summary: `could not flush ${names(failed)}`,
      details: { caches },
      error: {
        code: 'E_ACTION_COMMAND_FAILED',
        message: failed.map((c) => `${c.name}: ${c.detail}`).join('; '),
      },
    };
  return {
    ok: true,
    changed: !ctx.dryRun && found.length > 0,
    summary:
      found.length === 0
        ? 'no local DNS cache runs on this device; nothing to flush'
        : `${ctx.dryRun ? 'would flush' : 'flushed'} ${names(found)}`,
    details: { caches },
  };
}

/** The Linux cache actions of this module (cache.flush_arp lives with the network actions). */
export const linuxCacheActions: ActionImpls = {
  'cache.flush_dns': flushDns,
};
