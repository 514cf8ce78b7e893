/**
 * process.kill on Linux: signal one process by pid, or every process whose name, executable path
 * or executable SHA-256 matches, read from /proc. pid 1, kernel threads, the agent and its
 * ancestors are never signalled; a pattern matching more than `max_processes` signals nothing.
 */
import { basename, join } from 'node:path';
import { VigilError } from '@vigil/protocol/agent-runtime';
import { globToRegExp } from '../glob.js';
import { sha256File } from '../hash-file.js';
import type { ActionContext, ActionImpls, ActionOutcome } from '../types.js';
import { refuse } from './action-failure.js';
import { ancestors, isGone, listProcesses, type ProcessInfo, readProcess } from './proc-scan.js';

/** How long a KILL or TERM is given to take effect before the result is written. */
const SETTLE_MS = 3000;

/** Why a process may not be signalled, or null when it may. */
export function protectedReason(
  p: ProcessInfo,
  guarded: ReadonlySet<number>,
  agentPid: number,
): string | null {
  if (p.pid === 1) return 'pid 1 (init) is never signalled';
  if (p.kernelThread) return 'a kernel thread cannot be signalled meaningfully';
  if (p.pid === agentPid) return 'it is the Vigil agent itself';
  if (guarded.has(p.pid)) return 'it is an ancestor of the Vigil agent';
  return null;
}

interface Selector {
  describe: string;
  match(p: ProcessInfo, ctx: ActionContext): Promise<boolean>;
}

function selectorFor(params: Record<string, unknown>, root: string): Selector {
  if (typeof params.name === 'string') {
    const re = globToRegExp(params.name);
    return {
      describe: `name ${params.name}`,
      match: async (p) => re.test(p.name) || (p.exe !== '' && re.test(basename(p.exe))),
    };
  }
  if (typeof params.exe === 'string') {
    const re = globToRegExp(params.exe);
    return { describe: `executable ${params.exe}`, match: async (p) => p.exe !== '' && re.test(p.exe) };
  }
  const want = String(params.sha256).toLowerCase();
  // One hash per executable file, not per process (a hundred workers of one binary).
  const hashes = new Map<string, Promise<string | null>>();
  return {
    describe: `executable SHA-256 ${want}`,
    match: async (p, ctx) => {
      if (p.exe === '' || p.kernelThread) return false;
      const key = `${p.exe}\0${p.exeDeleted}`;
      let h = hashes.get(key);
      if (!h) {
        // /proc/<pid>/exe opens the very file the process runs, even when it was deleted or replaced.
        h = sha256File(join(root, 'proc', String(p.pid), 'exe'), ctx.signal).catch(() => null);
        hashes.set(key, h);
      }
      return (await h) === want;
    },
  };
}

function describeProcess(p: ProcessInfo) {
  return { pid: p.pid, name: p.name, exe: p.exe, uid: p.uid };
}

async function waitGone(targets: ProcessInfo[], ctx: ActionContext): Promise<Set<number>> {
  const deadline = Date.now() + SETTLE_MS;
  let gone = new Set<number>();
  while (!ctx.signal.aborted) {
    gone = new Set(targets.filter((p) => isGone(p, ctx.root)).map((p) => p.pid));
    if (gone.size === targets.length || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return gone;
}

async function killProcess(params: Record<string, unknown>, ctx: ActionContext): Promise<ActionOutcome> {
  const signal = `SIG${String(params.signal ?? 'KILL')}` as NodeJS.Signals;
  const max = Number(params.max_processes ?? 20);
  const guarded = new Set(ancestors(ctx.agentPid, ctx.root));
  let targets: ProcessInfo[];
  const skipped: Array<{ pid: number; name: string; reason: string }> = [];
  let what: string;
  if (typeof params.pid === 'number') {
    what = `pid ${params.pid}`;
    const p = readProcess(params.pid, ctx.root);
    if (!p || p.state === 'Z')
      throw new VigilError('E_ACTION_TARGET_NOT_FOUND', `there is no running process with pid ${params.pid}`);
    const why = protectedReason(p, guarded, ctx.agentPid);
    if (why) refuse(`refusing to signal pid ${p.pid} (${p.name}): ${why}`, { pid: p.pid, name: p.name });
    targets = [p];
  } else {
    const selector = selectorFor(params, ctx.root);
    what = selector.describe;
    targets = [];
    for (const p of listProcesses(ctx.root)) {
      if (p.state === 'Z' || !(await selector.match(p, ctx))) continue;
      const why = protectedReason(p, guarded, ctx.agentPid);
      if (why) skipped.push({ pid: p.pid, name: p.name, reason: why });
      else targets.push(p);
    }
    if (targets.length > max)
      refuse(
        `${targets.length} processes match ${what}, more than max_processes (${max}); nothing was signalled — narrow the pattern or raise max_processes`,
        { matched: targets.length, sample: targets.slice(0, 20).map(describeProcess) },
      );
  }
  if (targets.length === 0)
    return {
      ok: true,
      changed: false,
      summary: `no process matches ${what}`,
      details: { signal: params.signal, processes: [], skipped },
    };
  if (ctx.dryRun)
    return {
      ok: true,
      changed: false,
      summary: `would send ${signal} to ${targets.length} process(es) matching ${what}`,
      details: {
        signal: params.signal,
        processes: targets.map((p) => ({ ...describeProcess(p), signalled: false })),
        skipped,
      },
    };
  const sent = new Map<number, string | null>();
  for (const p of targets) {
    // The pid could have been reused since the scan: only signal the same process (same start time).
    if (isGone(p, ctx.root)) {
      sent.set(p.pid, 'it exited before it was signalled');
      continue;
    }
    try {
      process.kill(p.pid, signal);
      sent.set(p.pid, null);
    } catch (error) {
      sent.set(p.pid, (error as NodeJS.ErrnoException).code ?? String(error));
    }
  }
  const ending = signal === 'SIGKILL' || signal === 'SIGTERM' || signal === 'SIGINT' || signal === 'SIGQUIT';
  const gone = ending ? await waitGone(targets, ctx) : new Set<number>();
  const processes = targets.map((p) => ({
    ...describeProcess(p),
    signalled: sent.get(p.pid) === null,
    ...(sent.get(p.pid) ? { error: sent.get(p.pid) } : {}),
    ...(ending ? { gone: gone.has(p.pid) } : {}),
  }));
  const signalled = processes.filter((p) => p.signalled).length;
  const failed = processes.filter((p) => !p.signalled && p.error !== 'it exited before it was signalled');
  const summary = `sent ${signal} to ${signalled} of ${targets.length} process(es) matching ${what}${
    ending ? `; ${gone.size} gone` : ''
  }`;
  if (failed.length > 0)
    return {
      ok: false,
      changed: signalled > 0,
      summary,
      details: { signal: params.signal, processes, skipped },
      error: {
        code: 'E_ACTION_COMMAND_FAILED',
        message: `could not signal ${failed.map((p) => `${p.pid} (${p.error})`).join(', ')}`,
      },
    };
  return {
    ok: true,
    changed: signalled > 0,
    summary,
    details: { signal: params.signal, processes, skipped },
  };
}

/** The Linux process actions. */
export const linuxProcessActions: ActionImpls = {
  'process.kill': killProcess,
};
