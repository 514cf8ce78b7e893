/**
 * `npm run bench -- ingest [seconds] [agents] [batch]` (defaults 30, 500, 10): sustained results
 * per second one server node stores, on SQLite and on PostgreSQL (127.0.0.1:5432, database test,
 * a schema of its own; skipped with a note when it does not answer), with the REST API's latency
 * while under that load.
 *
 * A real server (its own process; store opened from its URL through buildApp) and `agents`
 * simulated agents on live connections. Each agent sends outbox batches of `batch` items and
 * sends the next one as soon as the server acknowledges the last (the server acknowledges after
 * the items are committed), for `seconds` (then batches in flight are awaited and counted in the
 * phase's time), in three phases: scheduled-query results
 * (`query.scheduled`, 3 rows of ~160 B each, stored as rows), check results (`check.results`, 10
 * outcomes per item, upserted per device and check) and alerts (`alert.event`, each a new alert).
 * Meanwhile one client calls `GET /api/v1/devices` back to back; its p50/p99 are compared with the
 * same call on the idle server. Stored rows are counted in the store afterwards and must match.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { benchApi } from './sim/api.js';
import { startBenchChild } from './sim/child.js';
import type { DataServerInfo } from './sim/data-server-info.js';
import { SimFleet } from './sim/fleet.js';
import { loadAverage, machineLine, mib, ProcSampler, sleep } from './sim/run-info.js';
import { msgId, type SimAgent } from './sim/sim-agent.js';
import { percentile } from './stats.js';

const PG_URL = process.env.VIGIL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

type Phase = 'query.scheduled' | 'check.results' | 'alert.event';
const PHASES: Phase[] = ['query.scheduled', 'check.results', 'alert.event'];
/** An agent waits this long for an ack before the run is declared stalled (a saturated store acks late, not never). */
const ACK_LIMIT_MS = 600_000;

interface PhaseResult {
  phase: Phase;
  /** Time from sending a batch to its acknowledgement, ms. */
  ackP50: number;
  ackP99: number;
  items: number;
  perSecond: number;
  outcomesPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  failures: number;
  cpuPct: number;
  peakRss: number;
  load: string;
}

function item(
  phase: Phase,
  agent: SimAgent,
  n: number,
  queryId: string,
): { id: string; kind: string; at: number; body: unknown } {
  const at = Date.now();
  if (phase === 'query.scheduled')
    return {
      id: msgId('s'),
      kind: phase,
      at,
      body: {
        query_id: queryId,
        at,
        mode: 'snapshot',
        columns: ['pid', 'name', 'cmdline'],
        rows: [0, 1, 2].map((i) => [1000 + i, `proc-${i}`, 'x'.repeat(136)]),
      },
    };
  if (phase === 'check.results')
    return {
      id: msgId('c'),
      kind: phase,
      at,
      body: {
        digest: 'bench',
        full: false,
        at,
        results: Array.from({ length: 10 }, (_, i) => ({ name: `Bench.Check${i}`, status: 'pass' })),
      },
    };
  return {
    id: msgId('a'),
    kind: phase,
    at,
    body: {
      rule: 'Bench.Ingest',
      severity: 'low',
      title: `benchmark alert ${n} on ${agent.hostname}`,
      key: `${agent.hostname}:${n}`,
      window_s: 1,
      count: 1,
      first_seen: at,
      last_seen: at,
      context: { n, path: `/tmp/bench-${n}` },
    },
  };
}

/** GET /api/v1/devices back to back until `stop()`; latencies in ms. */
function apiLoop(call: () => Promise<{ status: number }>): {
  stop(): Promise<{ times: number[]; failures: number }>;
} {
  let running = true;
  const times: number[] = [];
  let failures = 0;
  const done = (async () => {
    while (running) {
      const t0 = performance.now();
      const r = await call().catch(() => ({ status: 0 }));
      if (r.status === 200) times.push(performance.now() - t0);
      else failures += 1;
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { times, failures };
    },
  };
}

async function countStored(store: { url: string; schema?: string }, table: string): Promise<number> {
  if (store.url.startsWith('sqlite:')) {
    const db = new Database(store.url.slice(7), { readonly: true });
    try {
      return (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: store.url });
  await client.connect();
  try {
    const r = await client.query(`select count(*)::int as n from "${store.schema}".${table}`);
    return r.rows[0].n as number;
  } finally {
    await client.end();
  }
}

async function runStore(
  kind: 'sqlite' | 'postgres',
  seconds: number,
  agents: number,
  batch: number,
): Promise<{ idle: { p50: number; p99: number }; phases: PhaseResult[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), `vigil-ingest-${kind}-`));
  const schema = `bench_ingest_${randomBytes(4).toString('hex')}`;
  const store = kind === 'sqlite' ? { url: `sqlite:${join(dataDir, 'vigil.db')}` } : { url: PG_URL, schema };
  const child = await startBenchChild<DataServerInfo>('sim/vigil-data-server-child.mjs', 120_000, {
    env: {
      BENCH_DATA_DIR: dataDir,
      BENCH_DB: store.url,
      ...(kind === 'postgres' ? { BENCH_PG_SCHEMA: schema } : {}),
    },
  });
  const info = child.info;
  const fleet = new SimFleet({
    serverUrl: info.url,
    caPem: info.caPem,
    signingPublicKey: info.signingPublicKey,
    enrollmentToken: info.enrollmentToken,
    size: agents,
    sourceAddresses: 4,
  });
  const api = benchApi(info.url, info.caPem, info.adminToken);
  try {
    await fleet.enrollAll();
    await fleet.connectAll();
    const saved = await api.call('POST', '/api/v1/queries', {
      name: 'bench-ingest',
      sql: 'SELECT pid, name, cmdline FROM processes',
      targets: { all: true },
    });
    if (saved.status !== 201) throw new Error(`saved query: ${JSON.stringify(saved.body)}`);
    await sleep(5000);
    const listDevices = () => api.call('GET', '/api/v1/devices?limit=50');
    const idleLoop = apiLoop(listDevices);
    await sleep(10_000);
    const idle = await idleLoop.stop();
    const phases: PhaseResult[] = [];
    for (const phase of PHASES) {
      const acked0 = fleet.stats.acked;
      const load = loadAverage();
      const sampler = new ProcSampler(child.process.pid as number);
      const loop = apiLoop(listDevices);
      const end = performance.now() + seconds * 1000;
      let sent = 0;
      let failed = 0;
      const ackTimes: number[] = [];
      const t0 = performance.now();
      // No new batch after the end; the phase lasts until every batch in flight is acknowledged.
      await Promise.all(
        fleet.agents.map(async (a) => {
          while (performance.now() < end) {
            const items = Array.from({ length: batch }, () => item(phase, a, sent++, saved.body.id));
            const sentAt = performance.now();
            try {
              await a.deliver(items, ACK_LIMIT_MS);
              ackTimes.push(performance.now() - sentAt);
            } catch {
              failed += 1;
              return;
            }
          }
        }),
      );
      const elapsed = (performance.now() - t0) / 1000;
      const api99 = await loop.stop();
      const s = sampler.stop();
      const items = fleet.stats.acked - acked0;
      if (failed > 0)
        throw new Error(`${phase}: ${failed} agents got no ack within ${ACK_LIMIT_MS / 1000} s`);
      phases.push({
        phase,
        ackP50: percentile(ackTimes, 50),
        ackP99: percentile(ackTimes, 99),
        items,
        perSecond: items / elapsed,
        outcomesPerSecond: (items * (phase === 'check.results' ? 10 : 1)) / elapsed,
        p50: percentile(api99.times, 50),
        p99: percentile(api99.times, 99),
        requests: api99.times.length,
        failures: api99.failures,
        cpuPct: s.cpuPct,
        peakRss: s.peakRss,
        load: `${load} → ${loadAverage()}`,
      });
    }
    // Acknowledged must mean stored: count what the store holds.
    const scheduled = phases[0] as PhaseResult;
    const stored = await countStored(store, 'scheduled_results');
    if (stored !== scheduled.items)
      throw new Error(`${kind}: ${scheduled.items} scheduled results acknowledged but ${stored} stored`);
    const alerts = phases[2] as PhaseResult;
    const storedAlerts = await countStored(store, "alerts where rule = 'Bench.Ingest'");
    if (storedAlerts !== alerts.items)
      throw new Error(`${kind}: ${alerts.items} alert events acknowledged but ${storedAlerts} alerts stored`);
    return { idle: { p50: percentile(idle.times, 50), p99: percentile(idle.times, 99) }, phases };
  } finally {
    await api.close();
    await fleet.close();
    await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    }
  }
}

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function main(args: string[]): Promise<void> {
  const seconds = Number(args[0] ?? 30);
  const agents = Number(args[1] ?? 500);
  const batch = Number(args[2] ?? 10);
  if (
    !Number.isInteger(seconds) ||
    seconds < 5 ||
    seconds > 600 ||
    !Number.isInteger(agents) ||
    agents < 1 ||
    agents > 15_000 ||
    !Number.isInteger(batch) ||
    batch < 1 ||
    batch > 500
  ) {
    console.error('usage: npm run bench -- ingest [seconds 5..600] [agents 1..15000] [batch 1..500]');
    process.exit(2);
  }
  console.log(`ingest: ${agents} agents, batches of ${batch} items, ${seconds} s per phase and store`);
  console.log(machineLine());
  console.log(
    'method: each agent sends its next batch when the last is acknowledged (after commit); items/s = acknowledged items / phase time;',
  );
  console.log(
    'API latency: GET /api/v1/devices?limit=50 back to back from one client, under load vs on the idle server; server CPU/RSS from /proc.',
  );
  const kinds: Array<'sqlite' | 'postgres'> = ['sqlite'];
  if (await postgresAnswers()) kinds.push('postgres');
  else console.log(`PostgreSQL at ${PG_URL} does not answer: its figures are skipped`);
  console.log(
    '\n| store | items | stored items/s (outcomes/s) | batch ack p50 / p99 | API p50 / p99 under load | idle API p50 / p99 | p99 ratio | server CPU (one core) / peak RSS | load (1/5/15) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const kind of kinds) {
    const r = await runStore(kind, seconds, agents, batch);
    for (const p of r.phases) {
      console.log(
        `| ${kind} | ${p.phase} | ${p.perSecond.toFixed(0)}${p.phase === 'check.results' ? ` (${p.outcomesPerSecond.toFixed(0)})` : ''} | ` +
          `${p.ackP50.toFixed(0)} / ${p.ackP99.toFixed(0)} ms | ` +
          `${p.p50.toFixed(0)} / ${p.p99.toFixed(0)} ms (${p.requests} calls${p.failures ? `, ${p.failures} failed` : ''}) | ` +
          `${r.idle.p50.toFixed(1)} / ${r.idle.p99.toFixed(1)} ms | ${(p.p99 / r.idle.p99).toFixed(1)} | ` +
          `${p.cpuPct.toFixed(0)} % / ${mib(p.peakRss)} | ${p.load} |`,
      );
    }
  }
}
