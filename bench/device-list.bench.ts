/**
 * `npm run bench -- device-list [devices]` (default 10000): the devices API on a fleet of that
 * size, through the real server over TLS on loopback, on SQLite and (when it is reachable)
 * PostgreSQL. The store is seeded directly: devices with a compliance score spread over 0–100
 * (a tenth without any), two tags each, and 20 check results each (a quarter failing).
 *
 * Timed, 30 requests each after 3 warm-up requests (median and p95):
 * - GET /api/v1/devices/count, unfiltered and with compliance_below=80;
 * - GET /api/v1/devices?compliance_below=80 for pages of 50 and of 500 (the console's sizes);
 * - GET /api/v1/devices?compliance_below=80&tag=… (a second filter on top).
 * It also prints SQLite's plan for the compliance count, to show the index it uses.
 */
import { sql } from 'kysely';
import { storeEngines } from '../packages/server/src/store/test-stores.js';
import { startTestServer, type TestServer } from '../packages/server/src/test-support/test-app.js';
import { machineLine } from './sim/run-info.js';
import { median, ms, percentile } from './stats.js';

const CHECKS_PER_DEVICE = 20;

/** Insert `n` devices of the server's account with tags, scores and check results, in batches. */
async function seed(s: TestServer, n: number): Promise<void> {
  const account = (await s.vigil.services.repos.users.byEmail('admin@example.test'))!.account_id;
  const at = new Date().toISOString();
  for (let i = 0; i < n; i += 250) {
    const ids = Array.from(
      { length: Math.min(250, n - i) },
      (_, k) => `bench-${String(i + k).padStart(6, '0')}`,
    );
    await s.store.db
      .insertInto('devices')
      .values(
        ids.map((id, k) => ({
          id,
          account_id: account,
          hostname: `host-${id}`,
          os_platform: 'linux',
          os_name: 'Debian GNU/Linux',
          os_version: '12',
          os_kernel: '6.1.0',
          os_arch: 'x86_64',
          agent_version: '0.1.0',
          status: (i + k) % 3 === 0 ? 'online' : 'offline',
          mode: 'live',
          ip: null,
          public_key: `key-${id}`,
          facts: '{}',
          enrolled_at: at,
          last_seen_at: null,
          revoked_at: null,
          machine_id: `m-${id}`,
          compliance_score: (i + k) % 10 === 0 ? null : (((i + k) * 37) % 1001) / 10,
        })),
      )
      .execute();
    await s.store.db
      .insertInto('device_tags')
      .values(
        ids.flatMap((id, k) =>
          [`rack-${(i + k) % 20}`, (i + k) % 2 ? 'prod' : 'dev'].map((tag) => ({
            device_id: id,
            account_id: account,
            tag,
          })),
        ),
      )
      .execute();
    const results = ids.flatMap((id, k) =>
      Array.from({ length: CHECKS_PER_DEVICE }, (_, c) => ({
        account_id: account,
        device_id: id,
        check_name: `Linux.Bench.Check${c}`,
        severity: 'medium',
        status: (i + k + c) % 4 === 0 ? 'fail' : 'pass',
        since: at,
        last_run_at: at,
        evidence: null,
        error: null,
      })),
    );
    for (let r = 0; r < results.length; r += 1000)
      await s.store.db
        .insertInto('check_results')
        .values(results.slice(r, r + 1000))
        .execute();
  }
}

/** Time `path` 30 times after 3 warm-up calls; fail loudly on a non-200 answer. */
async function time(s: TestServer, path: string): Promise<{ median: number; p95: number; body: any }> {
  let body: any;
  const samples: number[] = [];
  for (let i = 0; i < 33; i++) {
    const t0 = performance.now();
    const res = await s.call('GET', path, { token: s.adminToken });
    const took = performance.now() - t0;
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    body = res.body;
    if (i >= 3) samples.push(took);
  }
  return { median: median(samples), p95: percentile(samples, 95), body };
}

/** Run the benchmark. */
export async function main(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 10_000);
  console.log(
    `device-list: ${n} devices, ${CHECKS_PER_DEVICE} check results each; 30 timed requests per line`,
  );
  console.log(machineLine());
  for (const kind of await storeEngines()) {
    const s = await startTestServer(kind);
    try {
      const t0 = performance.now();
      await seed(s, n);
      console.log(`\n${kind}: seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      if (kind === 'sqlite') {
        const plan = await sql<{ detail: string }>`explain query plan select count(*) from devices
          where account_id = ${'x'} and compliance_score < ${80}`.execute(s.store.db);
        console.log(`  plan of the compliance count: ${plan.rows.map((r) => r.detail).join('; ')}`);
      }
      const lines: Array<[string, string]> = [
        ['count, unfiltered', '/api/v1/devices/count'],
        ['count, compliance_below=80', '/api/v1/devices/count?compliance_below=80'],
        ['page of 50, compliance_below=80', '/api/v1/devices?compliance_below=80&limit=50'],
        ['page of 500, compliance_below=80', '/api/v1/devices?compliance_below=80&limit=500'],
        ['count, compliance_below=80 and tag=prod', '/api/v1/devices/count?compliance_below=80&tag=prod'],
        [
          'page of 50, compliance_below=80 and tag=prod',
          '/api/v1/devices?compliance_below=80&tag=prod&limit=50',
        ],
      ];
      for (const [label, path] of lines) {
        const r = await time(s, path);
        const what = 'count' in r.body ? `count ${r.body.count}` : `${r.body.items.length} devices`;
        console.log(
          `  ${label.padEnd(46)} median ${ms(r.median).padStart(10)}  p95 ${ms(r.p95).padStart(10)}  (${what})`,
        );
      }
    } finally {
      await s.stop();
    }
  }
}
