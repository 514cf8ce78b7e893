/**
 * `npm run bench -- reconnect-storm [N] [capMs] [kill]` (defaults 5000, 4000, graceful): restart
 * the server under N connected agents and time how long until every one is back.
 *
 * Vigil: a real server (its own process) keeping its data directory (SQLite store, CA, keys)
 * and port across the restart, so every agent's enrollment survives; N simulated agents (real
 * keys, TLS-bound auth) that reconnect with the real agent's backoff code (full jitter; the first
 * retry after a drop spread over capMs/2, then exponential from 1 s up to capMs). The server is
 * stopped gracefully (it closes every session with 1001, as on an upgrade) or, with `kill`,
 * SIGKILLed (a crash: connections reset). Measured: the restart (stop until the new process
 * listens), time until every agent has authenticated again (auth.ok) and until the server's own
 * device list shows all N online, failed attempts, agents that gave up, and the new server's peak
 * CPU and RSS during the storm (/proc).
 *
 * Baseline, in the same run: the bare ws+TLS server restarted on its port with the same
 * certificate and N bare clients running the same reconnect loop; "accept time" is the time until
 * all N are connected again. The ratio compares the two. With the real agent's default cap
 * (60 s) a fleet returns over ~30 s by design; the default cap here compresses the storm so the
 * server, not the jitter, decides the time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BareFleet } from './baseline/bare-clients.js';
import { benchApi } from './sim/api.js';
import { type BenchChild, startBenchChild } from './sim/child.js';
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
import type { ReconnectPolicy } from './sim/sim-agent.js';

const SOURCE_ADDRESSES = 8;
const FD_MARGIN = 400;
const STORM_LIMIT_MS = 900_000;

interface StormResult {
  label: string;
  /** Seconds from the stop until the old process had exited (its graceful shutdown). */
  stopS: number;
  restartS: number;
  allBackS: number;
  serverOnlineS?: number;
  failures: number;
  gaveUp: number;
  reconnects: number;
  peakCpuPct: number;
  cpuPct: number;
  peakRss: number;
  /** CPU seconds the server used from listening again until all were back. */
  serverCpuS: number;
  /** CPU seconds this process (all the clients) used over the same time. */
  clientCpuS: number;
  connectS: number;
  load: string;
}

/** Poll `online()` every 50 ms until it reaches `n`; returns seconds since `since`, or NaN after the limit. */
async function waitAll(online: () => number, n: number, since: number): Promise<number> {
  while (online() < n) {
    if (performance.now() - since > STORM_LIMIT_MS) return Number.NaN;
    await sleep(50);
  }
  return (performance.now() - since) / 1000;
}

function stopChild(child: BenchChild<unknown>, kill: boolean): Promise<void> {
  if (!kill) return child.stop();
  return new Promise((resolve) => {
    child.process.once('exit', () => resolve());
    child.process.kill('SIGKILL');
  });
}

async function baseline(n: number, policy: ReconnectPolicy, kill: boolean): Promise<StormResult> {
  const tlsDir = mkdtempSync(join(tmpdir(), 'baseline-tls-'));
  const env = { BASELINE_TLS_DIR: tlsDir, BASELINE_PING_MS: '30000' };
  let child = await startBenchChild<{ url: string; caPem: string }>('baseline/ws-fanout-server.ts', 60_000, {
    env,
  });
  raiseFdLimit(child.process.pid as number, n + FD_MARGIN);
  const port = new URL(child.info.url).port;
  const fleet = new BareFleet(child.info.url, child.info.caPem, n, SOURCE_ADDRESSES);
  try {
    let t0 = performance.now();
    await fleet.connectAll(64);
    const connectS = (performance.now() - t0) / 1000;
    fleet.keepConnected(policy);
    const load = loadAverage();
    t0 = performance.now();
    await stopChild(child, kill);
    const stopS = (performance.now() - t0) / 1000;
    child = await startBenchChild('baseline/ws-fanout-server.ts', 60_000, {
      env: { ...env, BASELINE_PORT: port },
    });
    raiseFdLimit(child.process.pid as number, n + FD_MARGIN);
    const restartS = (performance.now() - t0) / 1000;
    const sampler = new ProcSampler(child.process.pid as number, 250);
    const clientCpu = process.cpuUsage();
    const allBackS = await waitAll(() => fleet.online(), n, t0);
    const s = sampler.stop();
    const c = process.cpuUsage(clientCpu);
    return {
      label: 'bare ws+TLS',
      serverCpuS: s.cpuSeconds,
      clientCpuS: (c.user + c.system) / 1e6,
      stopS,
      restartS,
      allBackS,
      failures: fleet.stats.connectFailures,
      gaveUp: fleet.stats.gaveUp,
      reconnects: fleet.stats.reconnects,
      peakCpuPct: s.peakCpuPct,
      cpuPct: s.cpuPct,
      peakRss: s.peakRss,
      connectS,
      load: `${load} → ${loadAverage()}`,
    };
  } finally {
    fleet.close();
    await child.stop();
    rmSync(tlsDir, { recursive: true, force: true });
  }
}

async function vigil(n: number, policy: ReconnectPolicy, kill: boolean): Promise<StormResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-storm-'));
  const env = { BENCH_DATA_DIR: dataDir, BENCH_HEARTBEAT: '30' };
  let child = await startBenchChild<DataServerInfo>('sim/vigil-data-server-child.mjs', 120_000, { env });
  raiseFdLimit(child.process.pid as number, n + FD_MARGIN);
  const info = child.info;
  const port = new URL(info.url).port;
  const fleet = new SimFleet({
    serverUrl: info.url,
    caPem: info.caPem,
    signingPublicKey: info.signingPublicKey,
    enrollmentToken: info.enrollmentToken,
    size: n,
    sourceAddresses: SOURCE_ADDRESSES,
  });
  try {
    await fleet.enrollAll();
    let t0 = performance.now();
    await fleet.connectAll();
    const connectS = (performance.now() - t0) / 1000;
    if (fleet.online() !== n)
      throw new Error(`only ${fleet.online()} of ${n} agents online before the restart`);
    fleet.keepConnected(policy);
    // Let the after-connect pushes finish so the restart starts from an idle server.
    await waitQuiet(child.process.pid as number, 300);
    const load = loadAverage();
    t0 = performance.now();
    await stopChild(child, kill);
    const stopS = (performance.now() - t0) / 1000;
    child = await startBenchChild<DataServerInfo>('sim/vigil-data-server-child.mjs', 120_000, {
      env: { ...env, BENCH_LISTEN: `127.0.0.1:${port}` },
    });
    raiseFdLimit(child.process.pid as number, n + FD_MARGIN);
    const restartS = (performance.now() - t0) / 1000;
    if (child.info.firstStart) throw new Error('the restarted server did not find its data directory');
    const sampler = new ProcSampler(child.process.pid as number, 250);
    const clientCpu = process.cpuUsage();
    const allBackS = await waitAll(() => fleet.online(), n, t0);
    const c = process.cpuUsage(clientCpu);
    const api = benchApi(child.info.url, child.info.caPem, child.info.adminToken);
    let serverOnlineS = Number.NaN;
    try {
      while (performance.now() - t0 < STORM_LIMIT_MS) {
        if ((await api.countDevices('status=online')) >= n) {
          serverOnlineS = (performance.now() - t0) / 1000;
          break;
        }
        await sleep(200);
      }
    } finally {
      await api.close();
    }
    const s = sampler.stop();
    if (fleet.stats.refused > 0)
      throw new Error(`${fleet.stats.refused} commands refused by simulated agents`);
    return {
      label: 'Vigil',
      serverCpuS: s.cpuSeconds,
      clientCpuS: (c.user + c.system) / 1e6,
      stopS,
      restartS,
      allBackS,
      serverOnlineS,
      failures: fleet.stats.connectFailures,
      gaveUp: fleet.stats.gaveUp,
      reconnects: fleet.stats.reconnects,
      peakCpuPct: s.peakCpuPct,
      cpuPct: s.cpuPct,
      peakRss: s.peakRss,
      connectS,
      load: `${load} → ${loadAverage()}`,
    };
  } finally {
    await fleet.close();
    await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function main(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 5000);
  const capMs = Number(args[1] ?? 4000);
  const kill = args[2] === 'kill';
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(capMs) || capMs < 100 || capMs > 600_000) {
    console.error('usage: npm run bench -- reconnect-storm [N] [capMs 100..600000] [kill]');
    process.exit(2);
  }
  const own = raiseFdLimit(process.pid, Math.max(fdLimit().soft, n + FD_MARGIN));
  if (own < n + FD_MARGIN) {
    console.error(
      `reconnect-storm: ${n} connections need ${n + FD_MARGIN} open files per process; this one may open ${own}. Largest N here: ${own - FD_MARGIN}.`,
    );
    process.exit(2);
  }
  const policy: ReconnectPolicy = { baseMs: 1000, capMs, maxAttempts: 60, attemptTimeoutMs: 120_000 };
  console.log(
    `reconnect-storm: ${n} connected agents, server ${kill ? 'killed (SIGKILL)' : 'stopped gracefully'} and started again on the same port and data`,
  );
  console.log(machineLine());
  console.log(
    `method: clients reconnect with the real agent's backoff (first retry uniform in [0, ${capMs / 2} ms), then full jitter from 1 s up to ${capMs} ms,`,
  );
  console.log(
    `at most ${policy.maxAttempts} attempts; 15 s to open, 120 s to authenticate); times from the stop; each server in its own process, clients here over 8 source addresses.`,
  );
  const b = await baseline(n, policy, kill);
  const v = await vigil(n, policy, kill);
  console.log(
    '\n| server | restart (stop → listening; of which the old process stopping) | all N back (from the stop) | failed attempts | gave up | server CPU per agent back | peak / mean server CPU (one core) | clients CPU | peak RSS | load (1/5/15) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of [b, v]) {
    console.log(
      `| ${r.label} | ${r.restartS.toFixed(1)} s (${r.stopS.toFixed(1)} s) | ${r.allBackS.toFixed(1)} s${r.serverOnlineS !== undefined ? ` (all online in the API: ${r.serverOnlineS.toFixed(1)} s)` : ''} | ` +
        `${r.failures} | ${r.gaveUp} | ${((r.serverCpuS / n) * 1000).toFixed(2)} ms | ${r.peakCpuPct.toFixed(0)} % / ${r.cpuPct.toFixed(0)} % | ` +
        `${r.clientCpuS.toFixed(0)} s | ${mib(r.peakRss)} | ${r.load} |`,
    );
  }
  const ratio = v.allBackS / b.allBackS;
  const ratioAfter = (v.allBackS - v.restartS) / (b.allBackS - b.restartS);
  console.log(
    `\nVigil / baseline: all back ${ratio.toFixed(2)} (from the stop), ${ratioAfter.toFixed(2)} (from listening again); goal ≤ 1.5: ${ratio <= 1.5 ? 'met' : 'NOT met'}; ` +
      `no agent gave up: ${v.gaveUp === 0 ? 'met' : 'NOT met'}. First connect of all N: bare ${b.connectS.toFixed(1)} s, Vigil ${v.connectS.toFixed(1)} s.`,
  );
  console.log(
    `server CPU per agent back, Vigil / baseline: ${(v.serverCpuS / b.serverCpuS).toFixed(1)} (steadier than wall time on a shared machine).`,
  );
}
