/**
 * Table collectors against the classic tools, in one run on this machine:
 *   SELECT * FROM processes        vs  ps -eo pid,ppid,user,comm,args
 *   SELECT * FROM listening_ports  vs  ss -tulpn
 * Method: the engine is created once (as on the agent, where it lives for the process
 * lifetime) and queried in this process; the tools are spawned as processes, so their figures
 * include process start-up, which is what a user of those tools pays too. After 3 warm-up runs
 * of each side, `rounds` rounds run Vigil and the tool back to back, alternating which goes
 * first, so both sides see the same load on a shared machine. We report each side's median and
 * p90 wall time, the ratio of the medians, and the median of the per-round ratios.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { createQueryEngine } from '../packages/agent/src/sql/engine.js';
import { median, ms, percentile } from './stats.js';

interface Pair {
  query: string;
  tool: string[];
}

const PAIRS: Pair[] = [
  { query: 'SELECT * FROM processes', tool: ['ps', '-eo', 'pid,ppid,user,comm,args'] },
  { query: 'SELECT * FROM listening_ports', tool: ['ss', '-tulpn'] },
];

function time(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/** Run the benchmark. */
export async function main(args: string[]): Promise<void> {
  const rounds = Number(args[0] ?? 40);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('usage: npm run bench -- tables [rounds]');
  const engine = createQueryEngine();
  console.log(
    `method: ${rounds} interleaved rounds after 3 warm-ups per side; Vigil and the tool alternate ` +
      'which runs first; engine created once and queried in-process; tools spawned per run ' +
      '(their times include process start-up); medians, p90 and the ratio of medians',
  );
  console.log(`machine: ${cpus().length} cores; load average (1/5/15 min) before: ${load()}`);
  for (const { query, tool } of PAIRS) {
    const [command, ...toolArgs] = tool as [string, ...string[]];
    const vigil = () => engine.run(query);
    const classic = () => execFileSync(command, toolArgs, { stdio: ['ignore', 'pipe', 'ignore'] });
    const rows = vigil().rows.length;
    const lines = classic().toString().trimEnd().split('\n').length - 1;
    for (let i = 0; i < 3; i++) {
      vigil();
      classic();
    }
    const tv: number[] = [];
    const tt: number[] = [];
    const perRound: number[] = [];
    let vigilFaster = 0;
    for (let i = 0; i < rounds; i++) {
      let a: number;
      let b: number;
      if (i % 2 === 0) {
        a = time(vigil);
        b = time(classic);
      } else {
        b = time(classic);
        a = time(vigil);
      }
      tv.push(a);
      tt.push(b);
      perRound.push(a / b);
      if (a <= b) vigilFaster += 1;
    }
    const ratio = median(tv) / median(tt);
    console.log(`\n${query}  (${rows} rows)`);
    console.log(`  Vigil: median ${ms(median(tv))}, p90 ${ms(percentile(tv, 90))}`);
    console.log(
      `  ${tool.join(' ')}  (${lines} lines): median ${ms(median(tt))}, p90 ${ms(percentile(tt, 90))}`,
    );
    console.log(
      `  ratio Vigil / tool: ${ratio.toFixed(2)} of the medians, ${median(perRound).toFixed(2)} per-round median; ` +
        `Vigil faster in ${vigilFaster}/${rounds} rounds  (goal ≤ 1.00: ${ratio <= 1 ? 'met' : 'NOT met'})`,
    );
  }
  console.log(`\nload average after: ${load()}`);
  engine.close();
}
