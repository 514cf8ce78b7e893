/**
 * Table collectors against the classic tools, in one run on this machine:
 *   SELECT * FROM processes        vs  ps -eo pid,ppid,user,comm,args
 *   SELECT * FROM listening_ports  vs  ss -tulpn
 * Method: the engine is created once (as on the agent, where it lives for the process
 * lifetime); each side runs `rounds` times after 3 warm-up runs; we report the median and p90
 * wall time. The tools are spawned as processes, so their figures include process start-up,
 * which is what a user of those tools pays too.
 */
import { execFileSync } from 'node:child_process';
import { createQueryEngine } from '../packages/agent/src/sql/engine.js';
import { median, ms, percentile } from './stats.js';

function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function measure(fn: () => unknown, rounds: number): number[] {
  for (let i = 0; i < 3; i++) fn();
  return Array.from({ length: rounds }, () => time(fn));
}

/** Run the benchmark. */
export async function main(args: string[]): Promise<void> {
  const rounds = Number(args[0] ?? 30);
  const engine = createQueryEngine();
  const pairs: Array<[string, () => unknown, string, () => unknown]> = [
    [
      'SELECT * FROM processes',
      () => engine.run('SELECT * FROM processes'),
      'ps -eo pid,ppid,user,comm,args',
      () => execFileSync('ps', ['-eo', 'pid,ppid,user,comm,args']),
    ],
    [
      'SELECT * FROM listening_ports',
      () => engine.run('SELECT * FROM listening_ports'),
      'ss -tulpn',
      () => execFileSync('ss', ['-tulpn']),
    ],
  ];
  console.log(
    `method: median and p90 of ${rounds} runs after 3 warm-ups; engine created once; tools spawned per run`,
  );
  console.log(`processes on this host: ${engine.run('SELECT count(*) AS n FROM processes').rows[0]?.n}`);
  for (const [aName, a, bName, b] of pairs) {
    const ta = measure(a, rounds);
    const tb = measure(b, rounds);
    console.log(`${aName}: median ${ms(median(ta))}, p90 ${ms(percentile(ta, 90))}`);
    console.log(`${bName}: median ${ms(median(tb))}, p90 ${ms(percentile(tb, 90))}`);
    console.log(`ratio (vigil / tool, median): ${(median(ta) / median(tb)).toFixed(2)}  (goal ≤ 1.00)`);
  }
  engine.close();
}
