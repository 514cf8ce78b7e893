/**
 * `npm run bench -- capacity [N] [idleSeconds] [restart]` (defaults 10000, 60, no restart): how many idle live
 * agents one server node holds, and what they cost it.
 *
 * Vigil: a real server (SQLite, its own process, 30 s heartbeat) and N simulated agents (this
 * process; real enrollment, Ed25519 keys, TLS-bound auth, each pinging every heartbeat as the real
 * agent does) over several loopback source addresses. Baseline, in the same run: a bare `ws`
 * server over TLS (its own process, one timer pinging every client every 30 s) and N bare
 * clients. For each: time to connect all N (64 at a time), then after the server has gone quiet,
 * its CPU over an idle window and its resident memory (/proc/<pid>/stat and status), total and
 * per connection above the empty server. The 100k figures are extrapolated linearly from N and
 * labelled as such: this machine's open-file limit (one descriptor per connection, per process)
 * decides the largest N that can run. With BENCH_HEAPSNAPSHOT_DIR=dir each server writes a V8 heap
 * snapshot there at the end of its idle window (after the figures are read).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BareFleet } from './baseline/bare-clients.js';
import {
  type BenchChild,
  readProcMemory,
  readProcStat,
  startBenchChild,
  writeHeapSnapshot,
} from './sim/child.js';
import type { DataServerInfo } from './sim/data-server-info.js';
import { SimFleet } from './sim/fleet.js';
import {
  fdLimit,
  loadAverage,
  machineLine,
  mib,
  ProcSampler,
  raiseFdLimit,
  sleep,
  waitQuiet,
} from './sim/run-info.js';

const SOURCE_ADDRESSES = 8;
/** Descriptors a process needs besides one per connection (store, listeners, pipes, pools). */
const FD_MARGIN = 400;
const TARGET = 100_000;

interface SideResult {
  label: string;
  n: number;
  connectS: number;
  enrollS?: number;
  settleS: number;
  /** Server CPU seconds from the first connect until it went quiet after the last. */
  connectCpuS: number;
  emptyRss: number;
  rss: number;
  rssAnon: number;
  rssFile: number;
  cpuPct: number;
  idleS: number;
  load: string;
  /** The server's own view (Vigil only): V8 heap committed and used, external memory. */
  heap?: { heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
}

/** Give the child the descriptors N connections need; fail with the reason if the machine refuses. */
function ensureDescriptors(child: BenchChild<unknown>, n: number, what: string): void {
  const pid = child.process.pid as number;
  const have = raiseFdLimit(pid, Math.max(fdLimit(pid).soft, n + FD_MARGIN));
  if (have < n + FD_MARGIN)
    throw new Error(
      `${what} may open ${have} files (prlimit could not raise it: no CAP_SYS_RESOURCE?) — at most ${have - FD_MARGIN} connections`,
    );
}

async function measureIdle(
  child: BenchChild<unknown>,
  idleS: number,
): Promise<{
  cpuPct: number;
  rss: number;
  rssAnon: number;
  rssFile: number;
  settleS: number;
  quietCpu: number;
  load: string;
}> {
  const pid = child.process.pid as number;
  const settleS = await waitQuiet(pid, 90);
  const quietCpu = readProcStat(pid).cpu;
  const load = loadAverage();
  const sampler = new ProcSampler(pid);
  await sleep(idleS * 1000);
  const s = sampler.stop();
  const m = readProcMemory(pid);
  const snapshot = await writeHeapSnapshot(child);
  if (snapshot) console.log(`heap snapshot of ${pid}: ${snapshot}`);
  return {
    cpuPct: s.cpuPct,
    rss: m.vmRss,
    rssAnon: m.rssAnon,
    rssFile: m.rssFile,
    settleS,
    quietCpu,
    load: `${load} → ${loadAverage()}`,
  };
}

async function baseline(n: number, idleS: number): Promise<SideResult> {
  const child = await startBenchChild<{ url: string; caPem: string }>(
    'baseline/ws-fanout-server.ts',
    60_000,
    {
      env: { BASELINE_PING_MS: '30000' },
    },
  );
  const fleet = new BareFleet(child.info.url, child.info.caPem, n, SOURCE_ADDRESSES);
  try {
    ensureDescriptors(child, n, 'the baseline server');
    await sleep(1000);
    const emptyRss = readProcMemory(child.process.pid as number).vmRss;
    const cpu0 = readProcStat(child.process.pid as number).cpu;
    const t0 = performance.now();
    await fleet.connectAll(64);
    const connectS = (performance.now() - t0) / 1000;
    if (fleet.online() !== n) throw new Error(`baseline: only ${fleet.online()} of ${n} connected`);
    const idle = await measureIdle(child, idleS);
    if (fleet.online() !== n) throw new Error(`baseline: ${n - fleet.online()} clients dropped while idle`);
    return { label: 'bare ws+TLS', n, connectS, connectCpuS: idle.quietCpu - cpu0, emptyRss, idleS, ...idle };
  } finally {
    fleet.close();
    await child.stop();
  }
}

/**
 * Vigil: N agents connect to a fresh server (each is sent its rule sets); with `restart`, the
 * server is then restarted on the same data and port and measured again once every agent is back
 * (the agents hold their sets and are not sent them again: a fleet's usual state after any server
 * restart or upgrade).
 */
async function vigil(n: number, idleS: number, restart: boolean): Promise<SideResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-capacity-'));
  const env = { BENCH_DATA_DIR: dataDir, BENCH_HEARTBEAT: '30' };
  let child = await startBenchChild<DataServerInfo>('sim/vigil-data-server-child.mjs', 120_000, { env });
  const info = child.info;
  const fleet = new SimFleet({
    serverUrl: info.url,
    caPem: info.caPem,
    signingPublicKey: info.signingPublicKey,
    enrollmentToken: info.enrollmentToken,
    size: n,
    sourceAddresses: SOURCE_ADDRESSES,
  });
  try {
    ensureDescriptors(child, n, 'the Vigil server');
    await sleep(1000);
    const emptyRss = readProcMemory(child.process.pid as number).vmRss;
    let t0 = performance.now();
    await fleet.enrollAll();
    const enrollS = (performance.now() - t0) / 1000;
    const cpu0 = readProcStat(child.process.pid as number).cpu;
    t0 = performance.now();
    await fleet.connectAll();
    const connectS = (performance.now() - t0) / 1000;
    if (fleet.online() !== n) throw new Error(`Vigil: only ${fleet.online()} of ${n} agents online`);
    fleet.startHeartbeats();
    const idle = await measureIdle(child, idleS);
    if (fleet.online() !== n) throw new Error(`Vigil: ${n - fleet.online()} agents dropped while idle`);
    if (fleet.stats.refused > 0)
      throw new Error(`${fleet.stats.refused} commands refused by simulated agents`);
    const results: SideResult[] = [
      {
        label: 'Vigil',
        n,
        connectS,
        connectCpuS: idle.quietCpu - cpu0,
        enrollS,
        emptyRss,
        idleS,
        ...idle,
        ...(await heapOf(child, dataDir)),
      },
    ];
    if (!restart) return results;
    const port = new URL(info.url).port;
    fleet.keepConnected({ baseMs: 1000, capMs: 4000, maxAttempts: 60, attemptTimeoutMs: 120_000 });
    const commandsBefore = fleet.stats.commands;
    t0 = performance.now();
    await child.stop();
    child = await startBenchChild<DataServerInfo>('sim/vigil-data-server-child.mjs', 120_000, {
      env: { ...env, BENCH_LISTEN: `127.0.0.1:${port}` },
    });
    ensureDescriptors(child, n, 'the restarted Vigil server');
    const cpu1 = readProcStat(child.process.pid as number).cpu;
    while (fleet.online() < n && performance.now() - t0 < 600_000) await sleep(100);
    if (fleet.online() !== n) throw new Error(`Vigil: only ${fleet.online()} of ${n} agents came back`);
    const backS = (performance.now() - t0) / 1000;
    const again = await measureIdle(child, idleS);
    if (fleet.stats.refused > 0)
      throw new Error(`${fleet.stats.refused} commands refused by simulated agents`);
    results.push({
      label: `Vigil after a restart (${fleet.stats.commands - commandsBefore} commands to ${n} returning agents)`,
      n,
      connectS: backS,
      connectCpuS: again.quietCpu - cpu1,
      emptyRss,
      idleS,
      ...again,
      ...(await heapOf(child, dataDir)),
    });
    return results;
  } finally {
    await fleet.close();
    await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The server's own memory figures (it writes them on SIGUSR2). */
async function heapOf(child: BenchChild<unknown>, dataDir: string): Promise<{ heap?: SideResult['heap'] }> {
  child.process.kill('SIGUSR2');
  await sleep(1000);
  const heap = JSON.parse(readFileSync(join(dataDir, 'memory.json'), 'utf8')) as SideResult['heap'];
  return heap ? { heap } : {};
}

export async function main(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 10_000);
  const idleS = Number(args[1] ?? 60);
  const restart = args[2] === 'restart';
  if (
    !Number.isInteger(n) ||
    n < 1 ||
    n > 200_000 ||
    !Number.isInteger(idleS) ||
    idleS < 5 ||
    idleS > 900 ||
    (args[2] !== undefined && !restart)
  ) {
    console.error('usage: npm run bench -- capacity [N 1..200000] [idleSeconds 5..900] [restart]');
    process.exit(2);
  }
  const own = raiseFdLimit(process.pid, Math.max(fdLimit().soft, n + FD_MARGIN));
  if (own < n + FD_MARGIN) {
    console.error(
      `capacity: ${n} connections need ${n + FD_MARGIN} open files per process; this process may open ${own} ` +
        `(hard limit ${fdLimit().hard}, and prlimit cannot raise it here). Largest N here: ${own - FD_MARGIN}.`,
    );
    process.exit(2);
  }
  console.log(`capacity: ${n} idle live connections, ${idleS} s idle window, heartbeat 30 s`);
  console.log(machineLine());
  console.log(
    'method: each server in its own process, clients in this one over 8 loopback source addresses; connect 64 at a',
  );
  console.log(
    'time; wait until the server CPU stays under 10 % for 2 s; then CPU (utime+stime from /proc) over the idle window',
  );
  console.log(
    'and RSS (VmRSS, RssAnon, RssFile from /proc/<pid>/status) at its end. Baseline first, then Vigil.',
  );
  const results: SideResult[] = [];
  results.push(await baseline(n, idleS));
  results.push(...(await vigil(n, idleS, restart)));
  const [b, v] = results as [SideResult, SideResult];
  console.log(
    '\n| server | N | connect all | server CPU per connect | RSS total (anon / file) | RSS per connection | CPU idle (% of one core) | load (1/5/15) |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const per = (r.rss - r.emptyRss) / r.n;
    console.log(
      `| ${r.label} | ${r.n} | ${r.connectS.toFixed(1)} s${r.enrollS !== undefined ? ` (+ enroll ${r.enrollS.toFixed(1)} s)` : ''} | ` +
        `${((r.connectCpuS / r.n) * 1000).toFixed(2)} ms | ` +
        `${mib(r.rss)} (${mib(r.rssAnon)} / ${mib(r.rssFile)}) | ${(per / 1024).toFixed(1)} KiB | ` +
        `${r.cpuPct.toFixed(2)} % | ${r.load} |`,
    );
  }
  const ratio = (x: number, y: number) => (y > 0 ? (x / y).toFixed(2) : 'n/a');
  const bPer = (b.rss - b.emptyRss) / n;
  const scale = TARGET / n;
  for (const v of results.slice(1)) {
    const vPer = (v.rss - v.emptyRss) / n;
    const rss100k = v.emptyRss + vPer * TARGET;
    const cpu100k = v.cpuPct * scale;
    console.log(
      `\n${v.label} / baseline: RSS per connection ${ratio(vPer, bPer)}, idle CPU ${ratio(v.cpuPct, b.cpuPct)}, connect time ${ratio(v.connectS, b.connectS)}`,
    );
    console.log(
      `EXTRAPOLATED to ${TARGET.toLocaleString('en')} agents (linear in N from the ${n} measured; not measured): ` +
        `RSS ≈ ${(rss100k / 2 ** 30).toFixed(2)} GiB (goal ≤ 5 GB: ${rss100k <= 5e9 ? 'met' : 'NOT met'}), ` +
        `idle CPU ≈ ${cpu100k.toFixed(1)} % of one core (goal ≤ 15 %: ${cpu100k <= 15 ? 'met' : 'NOT met'}); ` +
        `baseline ≈ ${((b.emptyRss + bPer * TARGET) / 2 ** 30).toFixed(2)} GiB, ${(b.cpuPct * scale).toFixed(1)} %.`,
    );
    if (v.heap)
      console.log(
        `Server memory by its own count: V8 heap ${mib(v.heap.heapUsed)} used of ${mib(v.heap.heapTotal)} committed, ` +
          `external ${mib(v.heap.external)} (array buffers ${mib(v.heap.arrayBuffers)}); the rest of RssAnon ` +
          `(${mib(v.rssAnon - v.heap.heapTotal - v.heap.external)}) is native: OpenSSL, sockets, SQLite and freed malloc memory not returned to the system.`,
      );
  }
  console.log(
    `settle before the window: baseline ${b.settleS.toFixed(0)} s, Vigil ${v.settleS.toFixed(0)} s; empty-server RSS: ` +
      `baseline ${mib(b.emptyRss)}, Vigil ${mib(v.emptyRss)}.`,
  );
}
