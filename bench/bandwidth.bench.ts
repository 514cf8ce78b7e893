/**
 * `npm run bench -- bandwidth [agentsPerGroup] [windowSeconds]` (defaults 20 and 120): bytes on
 * the wire per idle agent per minute in live mode and in poll mode at 1 s, 10 s and 60 s, and per
 * live-query round trip.
 *
 * Four groups run at the same time, each a Vigil server child plus simulated agents (real keys,
 * signed polls as the real agent's poller makes them, facts and status in every poll; live agents
 * ping every heartbeat as the real agent does). Each group runs in a network namespace of its own
 * when this user may create one (`unshare -n`), so two counts are made:
 *  - TLS level: bytes read and written on the agents' TCP sockets below TLS (TLS records and
 *    handshakes, HTTP and WebSocket framing; no TCP/IP headers);
 *  - IP level: bytes transmitted on the namespace's loopback (/proc/net/dev; every packet, ACKs
 *    included, with IP and TCP headers; loopback has no Ethernet header).
 * Idle: over the window, after a warm-up (live: 15 s after connecting; poll: two polls back to
 * back, which fetch what the server pushes on attach). Query: one live query to the group, from
 * the request until every answer is acknowledged, minus the idle traffic of that time (TLS level).
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BandwidthGroupResult } from './sim/bandwidth-group.js';
import { loadAverage, machineLine } from './sim/run-info.js';

const GROUPS: Array<{ mode: 'live' | 'poll'; intervalS: number }> = [
  { mode: 'live', intervalS: 0 },
  { mode: 'poll', intervalS: 1 },
  { mode: 'poll', intervalS: 10 },
  { mode: 'poll', intervalS: 60 },
];

function canUseNetns(): boolean {
  return (
    spawnSync('unshare', ['-n', '--', 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'ignore' }).status === 0
  );
}

function runGroup(spec: object, netns: boolean, timeoutMs: number): Promise<BandwidthGroupResult> {
  const script = fileURLToPath(new URL('./sim/bandwidth-group.ts', import.meta.url));
  const node = [process.execPath, '--import', 'tsx', script, JSON.stringify({ ...spec, netns })];
  const [cmd, ...args] = netns
    ? ['unshare', '-n', '--', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', ...node]
    : node;
  const child = spawn(cmd as string, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bandwidth group ${JSON.stringify(spec)} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{'))
        reject(new Error(`bandwidth group ${JSON.stringify(spec)} exited with ${code}`));
      else resolve(JSON.parse(line) as BandwidthGroupResult);
    });
  });
}

export async function main(args: string[]): Promise<void> {
  const agents = Number(args[0] ?? 20);
  const windowS = Number(args[1] ?? 120);
  if (
    !Number.isInteger(agents) ||
    agents < 1 ||
    agents > 2000 ||
    !Number.isInteger(windowS) ||
    windowS < 30 ||
    windowS > 1800
  ) {
    console.error('usage: npm run bench -- bandwidth [agentsPerGroup 1..2000] [windowSeconds 30..1800]');
    process.exit(2);
  }
  const netns = canUseNetns();
  console.log(
    `bandwidth: ${agents} agents per group, ${windowS} s idle window; heartbeat 30 s (server default)`,
  );
  console.log(machineLine());
  console.log(
    netns
      ? 'method: each group in its own network namespace: TLS level = agent sockets below TLS; IP level = /proc/net/dev lo tx'
      : 'method: no network namespace available here: TLS level only (agent sockets below TLS)',
  );
  const results = await Promise.all(
    GROUPS.map((g) =>
      runGroup({ ...g, agents, windowS }, netns, (windowS + 4 * 60 + 3 * g.intervalS + 60) * 1000),
    ),
  );
  const perMin = (bytes: number, r: BandwidthGroupResult) => bytes / r.agents / (r.windowS / 60);
  console.log(
    '\n| mode | responsiveness | TLS level per agent per minute | IP level per agent per minute (packets) | per poll (TLS) | one query round trip (TLS, per agent) |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const r of results) {
    const ip =
      r.ipBytes === null
        ? 'n/a'
        : `${perMin(r.ipBytes, r).toFixed(0)} B (${perMin(r.ipPackets ?? 0, r).toFixed(1)})`;
    console.log(
      `| ${r.mode === 'live' ? 'live' : `poll ${r.intervalS} s`} | ${r.mode === 'live' ? 'immediate' : `≤ ${r.intervalS} s`} | ` +
        `${perMin(r.socketBytes, r).toFixed(0)} B | ${ip} | ${r.polls ? `${(r.socketBytes / r.polls).toFixed(0)} B` : '—'} | ` +
        `${r.queryBytesPerAgent.toFixed(0)} B (${r.querySeconds.toFixed(1)} s) |`,
    );
  }
  const live = results[0] as BandwidthGroupResult;
  const level = live.ipBytes !== null ? 'ipBytes' : 'socketBytes';
  const liveMin = perMin(live[level] ?? 0, live);
  console.log(
    `\nidle live agent: ${liveMin.toFixed(0)} B/min at ${level === 'ipBytes' ? 'IP' : 'TLS'} level, ` +
      `${perMin(live.socketBytes, live).toFixed(0)} B/min at TLS level (goal ≤ 500 B: ${liveMin <= 500 ? 'met' : 'NOT met'} at ${level === 'ipBytes' ? 'IP' : 'TLS'} level)`,
  );
  for (const r of results.slice(1)) {
    const ratio = perMin(r[level] ?? 0, r) / liveMin;
    console.log(
      `poll every ${r.intervalS} s uses ${ratio.toFixed(1)}× the bytes of live mode (${level === 'ipBytes' ? 'IP' : 'TLS'} level)`,
    );
  }
  const refused = results.reduce((n, r) => n + r.refused, 0);
  if (refused > 0) throw new Error(`${refused} commands refused by simulated agents`);
  console.log(
    `equal responsiveness: live answers at once; the closest poll mode is 1 s. load now ${loadAverage()}`,
  );
}
