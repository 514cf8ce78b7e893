/**
 * What every fleet benchmark records with its figures: machine, date, commit and the load the
 * machine was under (it is shared, so a figure without its load cannot be compared), plus the
 * process-level measurements read from /proc.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { readProcStat } from './child.js';

/** 1, 5 and 15 minute load averages as "a / b / c". */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' / ');
}

/** The current commit (short), marked "+changes" when the working tree differs from it. */
export function commitLabel(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      encoding: 'utf8',
    });
    return dirty.trim() ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}

/** One line describing the machine and the moment. */
export function machineLine(): string {
  const c = cpus();
  return (
    `${new Date().toISOString()} · commit ${commitLabel()} · ${c.length} × ${c[0]?.model.trim() ?? 'cpu'} · ` +
    `${(totalmem() / 2 ** 30).toFixed(0)} GiB · Node ${process.version} · load ${loadAverage()}`
  );
}

/** Open-file limit (soft, hard) of a process, from /proc/<pid>/limits. */
export function fdLimit(pid: number | 'self' = 'self'): { soft: number; hard: number } {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = (line ?? '').replace('Max open files', '').trim().split(/\s+/).map(Number);
  return { soft: soft ?? 1024, hard: hard ?? 1024 };
}

/**
 * Try to raise a process's open-file limit to `n` with `prlimit` (needs CAP_SYS_RESOURCE beyond
 * the hard limit). Returns the limit the process has afterwards.
 */
export function raiseFdLimit(pid: number, n: number): number {
  try {
    execFileSync('prlimit', ['--pid', String(pid), `--nofile=${n}:${n}`], { stdio: 'ignore' });
  } catch {
    // Not permitted here: the caller reports the limit that stays.
  }
  return fdLimit(pid).soft;
}

/** CPU share and peak resident size of a process over a window, sampled from /proc. */
export class ProcSampler {
  private readonly startCpu: number;
  private readonly startAt = performance.now();
  private peakRss: number;
  private peakCpuPct = 0;
  private lastCpu: number;
  private lastAt = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly pid: number,
    everyMs = 500,
  ) {
    const s = readProcStat(pid);
    this.startCpu = s.cpu;
    this.lastCpu = s.cpu;
    this.peakRss = s.rss;
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    let s: { cpu: number; rss: number };
    try {
      s = readProcStat(this.pid);
    } catch {
      return; // the process is gone
    }
    const now = performance.now();
    this.peakRss = Math.max(this.peakRss, s.rss);
    if (now - this.lastAt >= 900) {
      this.peakCpuPct = Math.max(
        this.peakCpuPct,
        ((s.cpu - this.lastCpu) / ((now - this.lastAt) / 1000)) * 100,
      );
      this.lastCpu = s.cpu;
      this.lastAt = now;
    }
  }

  /** Stop sampling; CPU % of one core over the whole window, the peak CPU % over ~1 s steps, peak RSS. */
  stop(): { cpuPct: number; cpuSeconds: number; peakCpuPct: number; peakRss: number; seconds: number } {
    this.sample();
    clearInterval(this.timer);
    const seconds = (performance.now() - this.startAt) / 1000;
    let cpu = this.lastCpu;
    try {
      cpu = readProcStat(this.pid).cpu;
    } catch {
      // gone: keep the last sample
    }
    const cpuSeconds = cpu - this.startCpu;
    return {
      cpuPct: (cpuSeconds / seconds) * 100,
      cpuSeconds,
      peakCpuPct: this.peakCpuPct,
      peakRss: this.peakRss,
      seconds,
    };
  }
}

/** Wait until a process's CPU over 2 s falls below `pct` % of a core (its burst of work is over), at most `maxS`; returns seconds waited. */
export async function waitQuiet(pid: number, maxS: number, pct = 10): Promise<number> {
  const t0 = performance.now();
  while ((performance.now() - t0) / 1000 < maxS) {
    const a = readProcStat(pid).cpu;
    await sleep(2000);
    if (((readProcStat(pid).cpu - a) / 2) * 100 < pct) break;
  }
  return (performance.now() - t0) / 1000;
}

/** Run `fn` over `items` with at most `limit` in flight. */
export async function pool<T>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i] as T, i);
      }
    }),
  );
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** Wait `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
