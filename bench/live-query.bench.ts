/**
 * `npm run bench -- live-query [sizes] [reps]` (defaults: 1000,10000 and 5): a live query to N
 * online simulated agents, time from the API call until the server has stored every answer,
 * against the bare baseline in the same run — a plain `ws` server over TLS fanning a small
 * message out to N clients and counting ~500 B replies (bench/baseline/ws-fanout-server.ts).
 *
 * Both servers run in their own process; the clients (N simulated agents speaking the real
 * protocol, or N bare ws clients) share this process. Each side: one warm-up round, then `reps`
 * rounds; p50/p99 and the ratio of medians. Vigil's time includes SQL validation, the one
 * Ed25519 signature of the campaign, sending, every agent verifying it, answers over the
 * outbox, idempotent ingest into SQLite and the campaign's completion; it is read by polling
 * the campaign every 20 ms (so it may read up to 20 ms late).
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { Agent, request } from 'undici';
import WebSocket from 'ws';
import { startBenchChild } from './sim/child.js';
import { SimFleet } from './sim/fleet.js';
import { median, percentile } from './stats.js';

const SOURCE_ADDRESSES = 8;

interface VigilInfo {
  url: string;
  caPem: string;
  signingPublicKey: string;
  adminToken: string;
  enrollmentToken: string;
}

async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i] as T, i);
      }
    }),
  );
}

/** The bare fan-out: returns the round times in ms and the server's CPU ms per reply over the rounds. */
async function baseline(
  size: number,
  reps: number,
): Promise<{ times: number[]; connectS: number; cpuMsPerAnswer: number }> {
  const child = await startBenchChild<{ url: string; caPem: string }>('baseline/ws-fanout-server.ts');
  const reply = JSON.stringify({ rows: 'y'.repeat(460) });
  const clients: WebSocket[] = [];
  try {
    const t0 = performance.now();
    await pool(
      Array.from({ length: size }, (_, i) => i),
      64,
      (i) =>
        new Promise<void>((resolve, reject) => {
          const ws = new WebSocket(child.info.url, {
            ca: child.info.caPem,
            perMessageDeflate: false,
            localAddress: `127.0.0.${2 + (i % SOURCE_ADDRESSES)}`,
          });
          ws.on('open', () => resolve());
          ws.on('error', reject);
          // Parse and answer like an agent would, with a reply of the size Vigil's sim agents send.
          ws.on('message', (data) => {
            const m = JSON.parse(String(data)) as { id: string };
            ws.send(`{"id":${JSON.stringify(m.id)},"body":${reply}}`);
          });
          clients.push(ws);
        }),
    );
    const connectS = (performance.now() - t0) / 1000;
    const control = new WebSocket(`${child.info.url.replace(/\/$/, '')}/control`, { ca: child.info.caPem });
    await new Promise((r, j) => {
      control.once('open', r);
      control.once('error', j);
    });
    const round = (id: string) =>
      new Promise<number>((resolve, reject) => {
        const start = performance.now();
        const timer = setTimeout(() => reject(new Error(`baseline round ${id} timed out`)), 120_000);
        control.once('message', (data) => {
          clearTimeout(timer);
          const m = JSON.parse(String(data)) as { done: string; replies: number };
          if (m.replies !== size) reject(new Error(`baseline: ${m.replies} of ${size} replied`));
          resolve(performance.now() - start);
        });
        control.send(JSON.stringify({ go: id }));
      });
    await round('warm-up');
    const times: number[] = [];
    const cpu0 = child.cpuSeconds();
    for (let r = 0; r < reps; r++) times.push(await round(`r${r}`));
    const cpuMsPerAnswer = ((child.cpuSeconds() - cpu0) * 1000) / (reps * size);
    control.close();
    return { times, connectS, cpuMsPerAnswer };
  } finally {
    for (const c of clients) c.terminate();
    await child.stop();
  }
}

/** Vigil: returns the round times in ms and the server's CPU ms per answer over the rounds. */
async function vigil(
  size: number,
  reps: number,
): Promise<{ times: number[]; enrollS: number; connectS: number; cpuMsPerAnswer: number }> {
  const child = await startBenchChild<VigilInfo>('sim/vigil-server-child.ts');
  const info = child.info;
  const fleet = new SimFleet({
    serverUrl: info.url,
    caPem: info.caPem,
    signingPublicKey: info.signingPublicKey,
    enrollmentToken: info.enrollmentToken,
    size,
    sourceAddresses: SOURCE_ADDRESSES,
  });
  const dispatcher = new Agent({ connect: { ca: info.caPem } });
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await request(`${info.url}${path}`, {
      method: method as 'GET' | 'POST',
      dispatcher,
      headers: { authorization: `Bearer ${info.adminToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.statusCode, body: (await res.body.json()) as any };
  };
  try {
    let t0 = performance.now();
    await fleet.enrollAll();
    const enrollS = (performance.now() - t0) / 1000;
    t0 = performance.now();
    await fleet.connectAll();
    const connectS = (performance.now() - t0) / 1000;
    if (fleet.online() !== size) throw new Error(`only ${fleet.online()} of ${size} agents online`);
    const round = async () => {
      const start = performance.now();
      const created = await api('POST', '/api/v1/queries/live', {
        sql: 'SELECT pid, name, cmdline FROM processes',
        targets: { filter: "tags CONTAINS 'sim'" },
        timeout_s: 120,
      });
      if (created.status !== 201) throw new Error(`live query: ${JSON.stringify(created.body)}`);
      const deadline = Date.now() + 120_000;
      for (;;) {
        const c = await api('GET', `/api/v1/queries/live/${created.body.id}`);
        if (c.body.status === 'done') {
          const elapsed = performance.now() - start;
          if (c.body.summary?.answered !== size)
            throw new Error(`campaign done with ${c.body.summary?.answered} of ${size} answers`);
          return elapsed;
        }
        if (Date.now() > deadline) throw new Error('campaign did not finish within 120 s');
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await round();
    const times: number[] = [];
    // Includes serving the 20 ms status polls: a few ms a round, small against N answers.
    const cpu0 = child.cpuSeconds();
    for (let r = 0; r < reps; r++) times.push(await round());
    const cpuMsPerAnswer = ((child.cpuSeconds() - cpu0) * 1000) / (reps * size);
    if (fleet.stats.refused > 0)
      throw new Error(`${fleet.stats.refused} commands refused by simulated agents`);
    return { times, enrollS, connectS, cpuMsPerAnswer };
  } finally {
    await fleet.close();
    await dispatcher.close();
    await child.stop();
  }
}

/** What verifying one campaign signature costs the simulated agents, all in this one process. */
function verifyCostMs(size: number): number {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const msg = Buffer.alloc(400, 1);
  const sig = sign(null, msg, privateKey);
  const t0 = performance.now();
  for (let i = 0; i < size; i++) verify(null, msg, publicKey, sig);
  return performance.now() - t0;
}

export async function main(args: string[]): Promise<void> {
  const sizes = (args[0] ?? '1000,10000').split(',').map(Number);
  const reps = Number(args[1] ?? 5);
  for (const n of sizes) {
    if (!Number.isInteger(n) || n < 1 || n > 15_000) {
      console.error(
        'sizes must be integers from 1 to 15000 (the file-descriptor limit here is 20000 per process)',
      );
      process.exit(2);
    }
  }
  console.log('live-query: time from POST /api/v1/queries/live until every answer is stored,');
  console.log(`vs a bare ws+TLS fan-out in the same run; ${reps} rounds after one warm-up; clients in this`);
  console.log(`process over ${SOURCE_ADDRESSES} loopback source addresses, each server in its own process.`);
  const rows: string[] = [];
  for (const n of sizes) {
    const base = await baseline(n, reps);
    const v = await vigil(n, reps);
    const ratio = median(v.times) / median(base.times);
    const line =
      `| ${n} | ${median(base.times).toFixed(0)} / ${percentile(base.times, 99).toFixed(0)} ms` +
      ` | ${median(v.times).toFixed(0)} / ${percentile(v.times, 99).toFixed(0)} ms | ${ratio.toFixed(2)}` +
      ` | ${base.cpuMsPerAnswer.toFixed(3)} / ${v.cpuMsPerAnswer.toFixed(3)} ms` +
      ` | ${verifyCostMs(n).toFixed(0)} ms | ${v.enrollS.toFixed(1)} s + ${v.connectS.toFixed(1)} s (bare connect ${base.connectS.toFixed(1)} s) |`;
    rows.push(line);
    console.log(
      `N=${n}: baseline ${base.times.map((t) => t.toFixed(0)).join(', ')} ms; vigil ${v.times.map((t) => t.toFixed(0)).join(', ')} ms`,
    );
  }
  console.log(
    '\n| agents | bare p50 / p99 | Vigil p50 / p99 | ratio (p50) | server CPU per answer, bare / Vigil | sim agents verifying, serial | Vigil enroll + connect |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}
