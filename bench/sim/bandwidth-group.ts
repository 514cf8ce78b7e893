/**
 * One group of the bandwidth benchmark, run by bench/bandwidth.bench.ts (normally inside a network
 * namespace of its own, so the loopback counters of /proc/net/dev see this group's traffic and
 * nothing else): a Vigil server child and `agents` simulated agents in live mode (pinging every
 * heartbeat, as the real agent does) or polling every `intervalS`. After a warm-up it counts
 * bytes over an idle window, then the bytes of one live-query round trip; prints one JSON line.
 *
 * Argument: a JSON object { mode: 'live' | 'poll', intervalS, agents, windowS }.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchApi } from './api.js';
import { startBenchChild } from './child.js';
import type { DataServerInfo } from './data-server-info.js';
import { SimFleet } from './fleet.js';
import { sleep } from './run-info.js';

/** What the group reports. */
export interface BandwidthGroupResult {
  mode: 'live' | 'poll';
  intervalS: number;
  agents: number;
  windowS: number;
  /** Bytes below TLS on the agents' sockets, both directions, over the window. */
  socketBytes: number;
  /** IP-level bytes (and packets) on lo over the window; null outside a private namespace. */
  ipBytes: number | null;
  ipPackets: number | null;
  /** Polls completed in the window (poll mode). */
  polls: number;
  /** One live query round trip, per agent: bytes below TLS beyond the idle traffic of that time. */
  queryBytesPerAgent: number;
  querySeconds: number;
  refused: number;
}

/** Loopback bytes and packets transmitted, from /proc/net/dev (each packet crosses lo once). */
function loopback(): { bytes: number; packets: number } {
  const line = readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .find((l) => l.trim().startsWith('lo:'));
  const f = (line ?? '').split(':')[1]?.trim().split(/\s+/).map(Number) ?? [];
  return { bytes: f[8] ?? 0, packets: f[9] ?? 0 };
}

const spec = JSON.parse(process.argv[2] ?? '{}') as {
  mode: 'live' | 'poll';
  intervalS: number;
  agents: number;
  windowS: number;
  netns: boolean;
};
const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bw-'));
const child = await startBenchChild<DataServerInfo>('sim/vigil-data-server-child.mjs', 120_000, {
  env: {
    BENCH_DATA_DIR: dataDir,
    BENCH_HEARTBEAT: '30',
    ...(spec.mode === 'poll' ? { BENCH_POLL: String(spec.intervalS) } : {}),
  },
});
const info = child.info;
const fleet = new SimFleet({
  serverUrl: info.url,
  caPem: info.caPem,
  signingPublicKey: info.signingPublicKey,
  enrollmentToken: info.enrollmentToken,
  size: spec.agents,
  sourceAddresses: 4,
  concurrency: 8,
});
const api = benchApi(info.url, info.caPem, info.adminToken);
try {
  await fleet.enrollAll();
  if (spec.mode === 'live') {
    await fleet.connectAll({ countBytes: true });
    fleet.startHeartbeats();
    // The pushes that follow a connect (rule sets, schedule) are not idle traffic.
    await sleep(15_000);
  } else {
    await fleet.startPolling(spec.intervalS * 1000, 2);
  }
  const idleRate = async () => {
    const s0 = fleet.wireBytes();
    const l0 = loopback();
    const p0 = fleet.stats.polls;
    const t0 = performance.now();
    await sleep(spec.windowS * 1000);
    const s1 = fleet.wireBytes();
    const l1 = loopback();
    return {
      socketBytes: s1.read + s1.written - s0.read - s0.written,
      ipBytes: l1.bytes - l0.bytes,
      ipPackets: l1.packets - l0.packets,
      polls: fleet.stats.polls - p0,
      seconds: (performance.now() - t0) / 1000,
    };
  };
  const idle = await idleRate();

  // One live query to every agent of the group: bytes from the request until every answer is acknowledged.
  const acked0 = fleet.stats.acked;
  const s0 = fleet.wireBytes();
  const polls0 = fleet.stats.polls;
  const t0 = performance.now();
  const created = await api.call('POST', '/api/v1/queries/live', {
    sql: 'SELECT pid, name, cmdline FROM processes',
    targets: { all: true },
    timeout_s: Math.min(600, spec.mode === 'poll' ? 3 * spec.intervalS + 30 : 60),
  });
  if (created.status !== 201) throw new Error(`live query: ${JSON.stringify(created.body)}`);
  const limit = (spec.mode === 'poll' ? 3 * spec.intervalS + 30 : 60) * 1000;
  while (fleet.stats.acked - acked0 < spec.agents && performance.now() - t0 < limit) await sleep(20);
  if (fleet.stats.acked - acked0 < spec.agents)
    throw new Error(`only ${fleet.stats.acked - acked0} of ${spec.agents} answers acknowledged`);
  const querySeconds = (performance.now() - t0) / 1000;
  const s1 = fleet.wireBytes();
  const during = s1.read + s1.written - s0.read - s0.written;
  // Subtract what the agents would have sent anyway in that time: idle polls, or heartbeats.
  const idleShare =
    spec.mode === 'poll'
      ? (fleet.stats.polls - polls0) * (idle.socketBytes / Math.max(1, idle.polls))
      : (idle.socketBytes / idle.seconds) * querySeconds;
  const result: BandwidthGroupResult = {
    mode: spec.mode,
    intervalS: spec.intervalS,
    agents: spec.agents,
    windowS: idle.seconds,
    socketBytes: idle.socketBytes,
    ipBytes: spec.netns ? idle.ipBytes : null,
    ipPackets: spec.netns ? idle.ipPackets : null,
    polls: idle.polls,
    queryBytesPerAgent: (during - idleShare) / spec.agents,
    querySeconds,
    refused: fleet.stats.refused,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await api.close();
  await fleet.close();
  await child.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
