/** Runs a benchmark server script in its own Node process and reads the one JSON line it prints. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchChild<T> {
  info: T;
  process: ChildProcess;
  /** CPU seconds (user + system) the child has used so far, from /proc. */
  cpuSeconds(): number;
  /** Resident set size of the child in bytes, from /proc. */
  rssBytes(): number;
  stop(): Promise<void>;
}

/** More ways to start a child: extra environment for the script. */
export interface BenchChildOptions {
  /** Added to this process's environment (the scripts read their settings from BENCH_* variables). */
  env?: Record<string, string>;
}

/** The built server a `.mjs` child imports. */
const SERVER_BUILD = fileURLToPath(new URL('../../packages/server/dist/index.js', import.meta.url));

/**
 * Start `node --import tsx <script>` (a path relative to bench/; a `.mjs` script runs on plain
 * node) and wait up to `timeoutMs` for its JSON line.
 */
export function startBenchChild<T>(
  script: string,
  timeoutMs = 60_000,
  options: BenchChildOptions = {},
): Promise<BenchChild<T>> {
  const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
  // BENCH_CHILD_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the servers under test.
  const extra = (process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // BENCH_HEAPSNAPSHOT_DIR=dir lets a bench ask a child for a heap snapshot (writeHeapSnapshot).
  const snapshots = process.env.BENCH_HEAPSNAPSHOT_DIR;
  if (snapshots) extra.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshots}`);
  if (script.endsWith('.mjs') && !existsSync(SERVER_BUILD))
    return Promise.reject(new Error(`${script} runs the built server: run npm run build first`));
  const loader = script.endsWith('.mjs') ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...extra, ...loader, path], {
    stdio: ['pipe', 'pipe', 'inherit'],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} printed nothing within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const stat = () => readProcStat(child.pid as number);
      resolve({
        info: JSON.parse(out.slice(0, nl)) as T,
        process: child,
        cpuSeconds: () => stat().cpu,
        rssBytes: () => stat().rss,
        stop: () =>
          new Promise((done) => {
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.stdin?.end();
          }),
      });
    });
  });
}

/** utime+stime (seconds) and RSS (bytes) of a process, from /proc/<pid>/stat. */
export function readProcStat(pid: number): { cpu: number; rss: number } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = 100; // USER_HZ on Linux
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssPages = Number(fields[21]);
  return { cpu: (utime + stime) / ticks, rss: rssPages * 4096 };
}

/** Memory of a process from /proc/<pid>/status, in bytes: resident total, anonymous (heaps), file-backed (code, mapped files). */
export function readProcMemory(pid: number): {
  vmRss: number;
  rssAnon: number;
  rssFile: number;
  vmHwm: number;
} {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
  return { vmRss: kb('VmRSS'), rssAnon: kb('RssAnon'), rssFile: kb('RssFile'), vmHwm: kb('VmHWM') };
}

/**
 * With BENCH_HEAPSNAPSHOT_DIR set, have the child write a V8 heap snapshot there (Node names it
 * with the child's pid) and wait until its size has stopped changing; otherwise do nothing. The
 * child's event loop stalls while it writes.
 */
export async function writeHeapSnapshot(
  child: BenchChild<unknown>,
  timeoutMs = 120_000,
): Promise<string | undefined> {
  const dir = process.env.BENCH_HEAPSNAPSHOT_DIR;
  if (!dir) return undefined;
  const pid = child.process.pid as number;
  const mine = () => readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot') && f.includes(`.${pid}.`));
  const before = new Set(mine());
  child.process.kill('SIGUSR2');
  const end = Date.now() + timeoutMs;
  let lastSize = -1;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 1000));
    const file = mine().find((f) => !before.has(f));
    if (!file) continue;
    const size = statSync(join(dir, file)).size;
    if (size > 0 && size === lastSize) return join(dir, file);
    lastSize = size;
  }
  throw new Error(`no complete heap snapshot from process ${pid} within ${timeoutMs} ms`);
}
