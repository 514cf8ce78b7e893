/**
 * `npm run bench -- agent-footprint [idleSeconds]` (default 600): what the real agent costs its
 * host. A real Vigil server (its own process) and a real agent process — the built CLI,
 * `node packages/cli/bin/vigil.js agent run`, enrolled for real with `vigil agent enroll` — with
 * its defaults: threat monitors on, metrics every minute, the rule set the server pushes.
 *
 * After the agent is online and its start-up work (first check run, first metrics) has settled,
 * its CPU (utime+stime of all its threads, plus children it waited for) and RSS (/proc) are read
 * over the idle window; then a full check scan (`POST /api/v1/checks/scan`) is timed until every
 * result is stored again, with the agent's CPU and peak RSS meanwhile. Where the memory goes is
 * read from /proc/<pid>/status (RssAnon = heaps: V8's and native; RssFile = the node binary and
 * libraries) and /proc/<pid>/smaps (per mapping). A bare `node` process kept alive by one timer is
 * measured alongside: the floor any Node agent starts from.
 *
 * The agent runs with the environment its systemd unit sets (`Environment=` lines of
 * packages/agent/systemd/vigil-agent.service: V8 and malloc settings), as installed agents do.
 * BENCH_AGENT_PLAIN=1 leaves them out (to measure what they change); BENCH_AGENT_NODE_ARGS adds
 * node options for an investigation (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { certificateFingerprint } from '../packages/server/src/pki/fingerprint.js';
import { benchApi } from './sim/api.js';
import { readProcMemory, startBenchChild } from './sim/child.js';
import type { DataServerInfo } from './sim/data-server-info.js';
import { loadAverage, machineLine, mib, sleep } from './sim/run-info.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(REPO, 'packages/cli/bin/vigil.js');
const UNIT = join(REPO, 'packages/agent/systemd/vigil-agent.service');

/** The variables the agent's systemd unit sets, one `Environment=NAME=value` line each. */
function unitEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(UNIT, 'utf8').split('\n')) {
    const m = /^Environment="?([A-Z_][A-Z0-9_]*)=(.*?)"?$/.exec(line.trim());
    if (m) env[m[1] as string] = m[2] as string;
  }
  return env;
}

/** CPU seconds of a process and of the children it has waited for, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text
    .slice(text.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  // utime, stime, cutime, cstime are fields 14–17 of stat: indexes 11–14 after the command name.
  return ((f[11] ?? 0) + (f[12] ?? 0) + (f[13] ?? 0) + (f[14] ?? 0)) / 100;
}

function threads(pid: number): number {
  return Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

/** Resident bytes per kind of mapping, from /proc/<pid>/smaps. */
function smapsProfile(pid: number): Array<[string, number]> {
  const out = new Map<string, number>();
  let kind = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const path = head[1] ?? '';
      kind =
        path === ''
          ? 'anonymous mappings (V8 heap spaces, thread stacks, large allocations)'
          : path === '[heap]'
            ? '[heap] (malloc: native objects, SQLite, OpenSSL)'
            : path.startsWith('[')
              ? path
              : path.endsWith('/node') || path === process.execPath
                ? 'node binary'
                : path.endsWith('.node')
                  ? 'native addons (.node)'
                  : /\.so(\.|$)/.test(path)
                    ? 'shared libraries'
                    : 'other files';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out.set(kind, (out.get(kind) ?? 0) + Number(rss[1]) * 1024);
  }
  return [...out.entries()].sort((a, b) => b[1] - a[1]);
}

/** V8 heap sizes of the main thread and each worker, from a Node diagnostic report the process writes on SIGUSR2. */
async function heapReport(
  pid: number,
  dir: string,
): Promise<
  { main: { total: number; used: number }; workers: Array<{ total: number; used: number }> } | undefined
> {
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100; i++) {
    await sleep(200);
    const file = readdirSync(dir).find((f) => f.endsWith('.json'));
    if (!file) continue;
    await sleep(500);
    try {
      type Heap = { javascriptHeap: { totalMemory: number; usedMemory: number } };
      const report = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Heap & { workers?: Heap[] };
      rmSync(join(dir, file));
      const heap = (h: Heap) => ({ total: h.javascriptHeap.totalMemory, used: h.javascriptHeap.usedMemory });
      return { main: heap(report), workers: (report.workers ?? []).map(heap) };
    } catch {
      // still being written
    }
  }
  return undefined;
}

/** Sample a process's RSS every `everyMs` for `seconds`; CPU share over the window. */
async function watch(
  pid: number,
  seconds: number,
  everyMs = 2000,
): Promise<{ cpuPct: number; meanRss: number; peakRss: number; endRss: number }> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  const samples: number[] = [];
  while (performance.now() - t0 < seconds * 1000) {
    samples.push(readProcMemory(pid).vmRss);
    await sleep(everyMs);
  }
  const elapsed = (performance.now() - t0) / 1000;
  const end = readProcMemory(pid).vmRss;
  return {
    cpuPct: ((cpuSeconds(pid) - c0) / elapsed) * 100,
    meanRss: samples.reduce((a, b) => a + b, 0) / samples.length,
    peakRss: Math.max(...samples, end),
    endRss: end,
  };
}

/** Wait until the process used under 1 % of a core for 10 s in a row (at most `maxS`); returns seconds waited. */
async function settle(pid: number, maxS: number): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < maxS * 1000) {
    const c = cpuSeconds(pid);
    await sleep(10_000);
    if ((cpuSeconds(pid) - c) / 10 < 0.01) break;
  }
  return (performance.now() - t0) / 1000;
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function main(args: string[]): Promise<void> {
  const idleS = Number(args[0] ?? 600);
  if (!Number.isInteger(idleS) || idleS < 30 || idleS > 3600) {
    console.error('usage: npm run bench -- agent-footprint [idleSeconds 30..3600]');
    process.exit(2);
  }
  if (!existsSync(join(REPO, 'packages/cli/dist/bin.js')))
    console.warn(
      'packages/cli/dist is missing: the agent runs from TypeScript sources (run `npm run build` first)',
    );
  console.log(
    `agent-footprint: a real agent, default monitors and metrics, ${idleS} s idle window, then a full check scan`,
  );
  console.log(machineLine());
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-footprint-srv-'));
  const stateDir = mkdtempSync(join(tmpdir(), 'vigil-footprint-agent-'));
  const reportDir = mkdtempSync(join(tmpdir(), 'vigil-footprint-report-'));
  const server = await startBenchChild<DataServerInfo>('sim/vigil-data-server-child.mjs', 120_000, {
    env: { BENCH_DATA_DIR: dataDir },
  });
  const api = benchApi(server.info.url, server.info.caPem, server.info.adminToken);
  const floor = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
  let agent: ChildProcess | undefined;
  let agentLog = '';
  try {
    const enroll = spawnSync(
      process.execPath,
      [
        CLI,
        'agent',
        'enroll',
        '--server',
        server.info.url,
        '--token',
        server.info.enrollmentToken,
        '--ca-fingerprint',
        certificateFingerprint(server.info.caPem),
        '--state',
        stateDir,
      ],
      { cwd: REPO, encoding: 'utf8', timeout: 60_000 },
    );
    if (enroll.status !== 0) throw new Error(`vigil agent enroll failed: ${enroll.stderr}${enroll.stdout}`);
    const agentEnv = process.env.BENCH_AGENT_PLAIN === '1' ? {} : unitEnvironment();
    const started = performance.now();
    // A diagnostic report on SIGUSR2 gives the V8 heaps of the main thread and of every worker
    // from outside, without changing what the agent does.
    agent = spawn(
      process.execPath,
      [
        ...(process.env.BENCH_AGENT_NODE_ARGS ?? '').split(' ').filter(Boolean),
        '--report-on-signal',
        '--report-signal=SIGUSR2',
        `--report-directory=${reportDir}`,
        CLI,
        'agent',
        'run',
        '--state',
        stateDir,
        '--log-level',
        'warn',
      ],
      { cwd: REPO, env: { ...process.env, ...agentEnv }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    agent.stderr?.on('data', (d: Buffer) => {
      agentLog = (agentLog + d.toString('utf8')).slice(-20_000);
    });
    const pid = agent.pid as number;
    let online = false;
    for (let i = 0; i < 300 && !online; i++) {
      online = (await api.countDevices('status=online')) >= 1;
      if (!online) await sleep(200);
    }
    if (!online) throw new Error(`the agent did not come online within 60 s:\n${agentLog}`);
    const onlineS = (performance.now() - started) / 1000;
    const settleS = await settle(pid, 300);
    const startupMem = readProcMemory(pid);
    const load = loadAverage();
    const idle = await watch(pid, idleS);
    const floorIdle = readProcMemory(floor.pid as number);
    const profile = smapsProfile(pid);
    const status = readProcMemory(pid);
    const heaps = await heapReport(pid, reportDir);
    const idleLoad = `${load} → ${loadAverage()}`;

    // A full scan: from the request until every check result of the device has run again.
    const c0 = cpuSeconds(pid);
    const peak = { rss: status.vmRss };
    const sampler = setInterval(() => {
      peak.rss = Math.max(peak.rss, readProcMemory(pid).vmRss);
    }, 250);
    const scanStart = Date.now();
    const t0 = performance.now();
    const scan = await api.call('POST', '/api/v1/checks/scan', { targets: { all: true } });
    if (scan.status !== 202) throw new Error(`scan: ${JSON.stringify(scan.body)}`);
    let scanS = Number.NaN;
    let checks = 0;
    while (performance.now() - t0 < 300_000) {
      const r = await api.call('GET', '/api/v1/checks/results?limit=10000');
      const items = r.body.items as Array<{ last_run_at: string }>;
      if (items.length > 0 && items.every((i) => Date.parse(i.last_run_at) >= scanStart - 1000)) {
        scanS = (performance.now() - t0) / 1000;
        checks = items.length;
        break;
      }
      await sleep(250);
    }
    clearInterval(sampler);
    const scanCpu = cpuSeconds(pid) - c0;

    console.log(
      `method: online after ${onlineS.toFixed(1)} s; start-up work settled (< 1 % CPU for 10 s) after ${settleS.toFixed(0)} s more; ` +
        `RSS sampled every 2 s; CPU = utime+stime (+ waited-for children) / wall time; ` +
        `agent environment from its unit: ${
          Object.entries(agentEnv)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ') || 'none'
        }` +
        `${process.env.BENCH_AGENT_NODE_ARGS ? `; node options ${process.env.BENCH_AGENT_NODE_ARGS}` : ''}.`,
    );
    console.log('\n| figure | agent | bare node (floor) | goal |');
    console.log('|---|---|---|---|');
    console.log(
      `| RSS idle, mean (peak) | ${mib(idle.meanRss)} (${mib(idle.peakRss)}) | ${mib(floorIdle.vmRss)} | ≤ 50 MB: ${idle.meanRss <= 50e6 ? 'met' : 'NOT met'} |`,
    );
    console.log(
      `| CPU idle, % of one core over ${idleS} s | ${idle.cpuPct.toFixed(3)} % | — | ≤ 0.3 %: ${idle.cpuPct <= 0.3 ? 'met' : 'NOT met'} |`,
    );
    console.log(
      `| full check scan (${checks} results stored) | ${scanS.toFixed(1)} s, ${scanCpu.toFixed(1)} s CPU, peak RSS ${mib(peak.rss)} | — | — |`,
    );
    console.log(`load (1/5/15) during the idle window: ${idleLoad}`);
    console.log(
      `\nmemory at the end of the idle window: VmRSS ${mib(status.vmRss)} = RssAnon ${mib(status.rssAnon)} (heaps) + RssFile ${mib(status.rssFile)} (code, libraries) + shared; ` +
        `threads ${threads(pid)}; after start-up ${mib(startupMem.vmRss)}; floor: RssAnon ${mib(floorIdle.rssAnon)}, RssFile ${mib(floorIdle.rssFile)}.`,
    );
    if (heaps)
      console.log(
        `V8 heaps (diagnostic report): main thread ${mib(heaps.main.used)} used of ${mib(heaps.main.total)}; ` +
          `${heaps.workers.length} worker thread(s): ${heaps.workers.map((w) => `${mib(w.used)} used of ${mib(w.total)}`).join(', ') || 'none'}.`,
      );
    console.log('resident memory by mapping (/proc/<pid>/smaps):');
    for (const [kind, bytes] of profile)
      if (bytes >= 256 * 1024) console.log(`  ${mib(bytes).padStart(10)}  ${kind}`);
  } finally {
    if (agent) await stopProcess(agent);
    floor.kill('SIGKILL');
    await api.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(reportDir, { recursive: true, force: true });
  }
}
