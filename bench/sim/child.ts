/** Runs a benchmark server script in its own Node process and reads the one JSON line it prints. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/** Start `node --import tsx <script>` (a path relative to bench/) and wait up to `timeoutMs` for its JSON line. */
export function startBenchChild<T>(script: string, timeoutMs = 60_000): Promise<BenchChild<T>> {
  const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
  // BENCH_CHILD_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the servers under test.
  const extra = (process.env.BENCH_CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', path], {
    stdio: ['pipe', 'pipe', 'inherit'],
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
