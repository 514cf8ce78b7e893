import { CompiledQuery, sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, type MetricsRegistry } from '../http/metrics.js';
import { createLogger } from '../logger.js';
import { newId } from '../store/ids.js';
import { createRepos, type Repos } from '../store/repos/index.js';
import { MetricsRepo } from '../store/repos/metrics.js';
import { QueryRetentionRepo } from '../store/repos/query-retention.js';
import { freshStore, storeEngines, TEST_PG_URL } from '../store/test-stores.js';
import { startTestServer } from '../test-support/test-app.js';
import {
  type RetentionBudget,
  type RetentionOptions,
  RetentionService,
  type RetentionTask,
  retentionCutoff,
} from './retention-service.js';

const engines = await storeEngines();
const NOW = new Date('2025-06-01T00:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60 * 1000;

/** An ISO time `ms` before NOW. */
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

// Say so in the test report when PostgreSQL is missing, not only in a console warning.
if (!engines.includes('postgres'))
  describe('retention job on postgres', () => {
    it.skip(`SKIPPED: PostgreSQL is not reachable at ${TEST_PG_URL} (set VIGIL_TEST_PG)`, () => {});
  });

describe.each(engines)('retention job on %s', (kind) => {
  let store: Awaited<ReturnType<typeof freshStore>>;
  let repos: Repos;
  let metrics: MetricsRegistry;
  let accountA: string;
  let accountB: string;
  const log = createLogger('silent');

  beforeAll(async () => {
    store = await freshStore(kind);
    repos = createRepos(store.db);
    accountA = (await repos.accounts.create('a')).id;
    accountB = (await repos.accounts.create('b')).id;
  });
  afterAll(async () => store?.dispose());

  // Every test starts from empty query tables and a fresh metrics registry.
  afterEach(async () => {
    for (const table of [
      'query_campaign_devices',
      'query_campaigns',
      'scheduled_results',
      'saved_queries',
      'audit_log',
    ] as const)
      await store.db.deleteFrom(table).execute();
  });

  function service(options: Partial<RetentionOptions> = {}): RetentionService {
    metrics = createMetrics();
    return new RetentionService(
      { store, audit: repos.audit, log, metrics },
      { liveDays: 30, scheduledDays: 30, now: () => NOW, ...options },
    );
  }

  /** A campaign created at `createdAt` with `devices` per-device rows; returns its id. */
  async function campaign(accountId: string, createdAt: string, devices: number): Promise<string> {
    const id = newId();
    await store.db
      .insertInto('query_campaigns')
      .values({
        id,
        account_id: accountId,
        sql: 'SELECT 1',
        command_id: 'c',
        created_by: 'u',
        created_at: createdAt,
        deadline_at: createdAt,
        status: 'done',
        targeted: devices,
        summary: null,
        saved_query_id: null,
      })
      .execute();
    if (devices > 0)
      await store.db
        .insertInto('query_campaign_devices')
        .values(
          Array.from({ length: devices }, (_, i) => ({
            campaign_id: id,
            device_id: `dev-${i}`,
            account_id: accountId,
            status: 'done',
            error: null,
            row_count: 1,
            latency_ms: 5,
            columns: '["x"]',
            rows: '[[1]]',
            warnings: '[]',
            truncated: 0,
            updated_at: createdAt,
          })),
        )
        .execute();
    return id;
  }

  async function savedQuery(accountId: string): Promise<string> {
    const id = newId();
    await store.db
      .insertInto('saved_queries')
      .values({
        id,
        account_id: accountId,
        name: `q-${id}`,
        description: '',
        sql: 'SELECT 1',
        targets: '{"all":true}',
        interval_s: 3600,
        cron: null,
        mode: 'snapshot',
        enabled: 1,
        last_run_at: null,
        created_by: 'u',
        created_at: ago(90 * DAY),
      })
      .execute();
    return id;
  }

  async function scheduledResult(accountId: string, queryId: string, deviceId: string, at: string) {
    const id = newId();
    await store.db
      .insertInto('scheduled_results')
      .values({
        id,
        account_id: accountId,
        query_id: queryId,
        device_id: deviceId,
        campaign_id: '',
        at,
        columns: '["x"]',
        rows: '[[1]]',
        added: null,
        removed: null,
      })
      .execute();
    return id;
  }

  const campaignIds = async () =>
    (await store.db.selectFrom('query_campaigns').select('id').orderBy('id').execute()).map((r) => r.id);
  const deviceRowsOf = async () =>
    (
      await store.db
        .selectFrom('query_campaign_devices')
        .select(['campaign_id', 'device_id'])
        .orderBy('campaign_id')
        .orderBy('device_id')
        .execute()
    ).map((r) => `${r.campaign_id}/${r.device_id}`);
  const scheduledIds = async () =>
    (await store.db.selectFrom('scheduled_results').select('id').orderBy('id').execute()).map((r) => r.id);
  const retentionAudits = () =>
    store.db.selectFrom('audit_log').selectAll().where('action', '=', 'retention.purge').execute();
  const metricValue = async (name: string, label: string) => {
    const text = await metrics.render();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${label}}`));
    return line ? Number(line.split(' ').pop()) : Number.NaN;
  };

  it('deletes expired campaigns with their device rows and expired scheduled results, keeps recent ones', async () => {
    const oldA = await campaign(accountA, ago(40 * DAY), 3);
    const oldB = await campaign(accountB, ago(30 * DAY + MINUTE), 2);
    const recentA = await campaign(accountA, ago(10 * DAY), 3);
    const edgeB = await campaign(accountB, ago(30 * DAY - MINUTE), 2);
    const qA = await savedQuery(accountA);
    const qB = await savedQuery(accountB);
    const oldResults = [
      await scheduledResult(accountA, qA, 'dev-1', ago(31 * DAY)),
      await scheduledResult(accountA, qA, 'dev-2', ago(60 * DAY)),
      await scheduledResult(accountB, qB, 'dev-1', ago(30 * DAY + MINUTE)),
    ];
    const keptResults = [
      await scheduledResult(accountA, qA, 'dev-1', ago(DAY)),
      await scheduledResult(accountA, qA, 'dev-2', ago(30 * DAY - MINUTE)),
      await scheduledResult(accountB, qB, 'dev-1', ago(2 * DAY)),
    ];

    const result = await service().runOnce();

    expect(result).toMatchObject({
      outcome: 'success',
      deleted: { live_campaigns: 2, live_device_results: 5, scheduled_results: 3 },
      interrupted: false,
    });
    expect(await campaignIds()).toEqual([recentA, edgeB].sort());
    expect(await deviceRowsOf()).toEqual(
      [recentA, edgeB]
        .sort()
        .flatMap((c) => (c === recentA ? [0, 1, 2] : [0, 1]).map((i) => `${c}/dev-${i}`)),
    );
    const left = await scheduledIds();
    expect(left).toEqual([...keptResults].sort());
    for (const id of oldResults) expect(left).not.toContain(id);
    for (const id of [oldA, oldB]) expect(await campaignIds()).not.toContain(id);

    const audits = await retentionAudits();
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      actor: 'system',
      actor_name: 'retention job',
      account_id: null,
      outcome: 'success',
    });
    expect(JSON.parse(audits[0]!.detail)).toMatchObject({
      live_campaigns: 2,
      live_device_results: 5,
      scheduled_results: 3,
      live_cutoff: retentionCutoff(NOW, 30),
      retention_live_days: 30,
    });
    expect(await metricValue('vigil_retention_deleted_rows_total', 'kind="live_campaigns"')).toBe(2);
    expect(await metricValue('vigil_retention_deleted_rows_total', 'kind="live_device_results"')).toBe(5);
    expect(await metricValue('vigil_retention_deleted_rows_total', 'kind="scheduled_results"')).toBe(3);
    expect(await metricValue('vigil_retention_runs_total', 'outcome="success"')).toBe(1);
  });

  it('deletes in bounded batches: many statements, none above the batch size, everything expired gone', async () => {
    const old: string[] = [];
    for (let i = 0; i < 7; i++) old.push(await campaign(i % 2 ? accountA : accountB, ago((40 + i) * DAY), 5));
    const recent = await campaign(accountA, ago(DAY), 4);
    const queries = [await savedQuery(accountA), await savedQuery(accountB)];
    const kept: string[] = [];
    // Old and recent results interleave per device and query, so batches cross queries and devices
    // and the recent rows between them must be left alone.
    for (const [d, device] of ['dev-a', 'dev-b', 'dev-c', 'dev-d'].entries()) {
      const q = queries[d % 2]!;
      const account = d % 2 ? accountB : accountA;
      for (let i = 0; i < 5; i++) await scheduledResult(account, q, device, ago((31 + i) * DAY + d * MINUTE));
      kept.push(await scheduledResult(account, q, device, ago(DAY)));
    }

    const result = await service({ batchSize: 3 }).runOnce();

    expect(result.outcome).toBe('success');
    expect(result.deleted).toEqual({ live_campaigns: 7, live_device_results: 35, scheduled_results: 20 });
    expect(result.largestStatement).toBe(3);
    // 35 device rows, 7 campaigns and 20 results at 3 per statement need at least 12 + 3 + 7 statements.
    expect(result.statements).toBeGreaterThanOrEqual(22);
    expect(await campaignIds()).toEqual([recent]);
    expect(await deviceRowsOf()).toHaveLength(4);
    expect(await scheduledIds()).toEqual([...kept].sort());
    expect(await retentionAudits()).toHaveLength(1);
  });

  it('finds expired scheduled results with a range scan of the scheduled_results_at index', async () => {
    const q = new QueryRetentionRepo(store.db).expiredScheduledResultsQuery(ago(30 * DAY), 1000).compile();
    const plan = await store.db.transaction().execute(async (trx) => {
      // The test tables are tiny: make PostgreSQL show the index plan it would pick for a large one.
      if (kind === 'postgres') {
        await sql`set local enable_seqscan = off`.execute(trx);
        await sql`set local enable_bitmapscan = off`.execute(trx);
      }
      const prefix = kind === 'sqlite' ? 'explain query plan ' : 'explain ';
      const r = await trx.executeQuery(CompiledQuery.raw(prefix + q.sql, [...q.parameters]));
      return JSON.stringify(r.rows);
    });
    expect(plan).toContain('scheduled_results_at');
    // No sort step: the index order is the delete order.
    expect(plan.toLowerCase()).not.toMatch(/temp b-tree|sort/);
  });

  it('keeps everything of a kind whose retention is 0', async () => {
    const ancient = await campaign(accountA, ago(3000 * DAY), 2);
    const q = await savedQuery(accountA);
    await scheduledResult(accountA, q, 'dev-1', ago(3000 * DAY));

    const liveOff = await service({ liveDays: 0 }).runOnce();
    expect(liveOff.deleted).toEqual({ live_campaigns: 0, live_device_results: 0, scheduled_results: 1 });
    expect(await campaignIds()).toEqual([ancient]);
    expect(await deviceRowsOf()).toHaveLength(2);
    expect(await scheduledIds()).toEqual([]);

    const newer = await scheduledResult(accountA, q, 'dev-1', ago(3000 * DAY));
    const scheduledOff = await service({ scheduledDays: 0 }).runOnce();
    expect(scheduledOff.deleted).toEqual({ live_campaigns: 1, live_device_results: 2, scheduled_results: 0 });
    expect(await campaignIds()).toEqual([]);
    expect(await scheduledIds()).toEqual([newer]);
  });

  it('with both at 0 schedules nothing, deletes nothing and audits nothing', async () => {
    const ancient = await campaign(accountA, ago(3000 * DAY), 1);
    const q = await savedQuery(accountA);
    const oldResult = await scheduledResult(accountA, q, 'dev-1', ago(3000 * DAY));
    const off = service({ liveDays: 0, scheduledDays: 0, startDelayMs: 1 });
    expect(off.enabled).toBe(false);
    off.start();
    expect(off.scheduled).toBe(false);
    const result = await off.runOnce();
    expect(result.deleted).toEqual({ live_campaigns: 0, live_device_results: 0, scheduled_results: 0 });
    expect(await campaignIds()).toEqual([ancient]);
    expect(await scheduledIds()).toEqual([oldResult]);
    expect(await retentionAudits()).toHaveLength(0);
    await off.stop();
  });

  it('records no audit entry for a run that found nothing to delete', async () => {
    await campaign(accountA, ago(DAY), 1);
    const result = await service().runOnce();
    expect(result.outcome).toBe('success');
    expect(result.statements).toBe(0);
    expect(await retentionAudits()).toHaveLength(0);
    expect(await metricValue('vigil_retention_runs_total', 'outcome="success"')).toBe(1);
    expect(await metricValue('vigil_retention_deleted_rows_total', 'kind="live_campaigns"')).toBe(0);
  });

  it('runs once shortly after start and on its schedule, and runs no more once stopped', async () => {
    await campaign(accountA, ago(40 * DAY), 1);
    // Ticks every second and results due at every tick, so the test can watch the schedule without waiting an hour.
    const job = service({ startDelayMs: 20, schedule: '* * * * * *', resultsEveryMs: 0 });
    const waitUntilGone = async () => {
      const deadline = Date.now() + 10_000;
      while ((await campaignIds()).length > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
    };
    try {
      job.start();
      expect(job.scheduled).toBe(true);
      await waitUntilGone();
      expect(await campaignIds()).toEqual([]);
      // The schedule keeps running after the first run.
      await campaign(accountA, ago(40 * DAY), 1);
      await waitUntilGone();
      expect(await campaignIds()).toEqual([]);
    } finally {
      await job.stop();
    }
    expect(job.scheduled).toBe(false);
    const survivor = await campaign(accountA, ago(40 * DAY), 1);
    // Longer than one scheduled tick: a timer left behind would have deleted it.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await campaignIds()).toEqual([survivor]);
  });

  it('stops a run in progress between batches, and the next run finishes the work', async () => {
    for (let i = 0; i < 20; i++) await campaign(accountA, ago(40 * DAY), 2);
    const job = service({ batchSize: 1 });
    const running = job.runOnce();
    expect(job.runOnce()).toBe(running);
    await job.stop();
    const result = await running;
    expect(result.interrupted).toBe(true);
    expect(result.outcome).toBe('success');
    expect((await campaignIds()).length).toBeGreaterThan(0);

    const again = await service({ batchSize: 1000 }).runOnce();
    expect((again.deleted.live_campaigns ?? 0) + (result.deleted.live_campaigns ?? 0)).toBe(20);
    expect(await campaignIds()).toEqual([]);
  });
});

describe('retention tasks', () => {
  let store: Awaited<ReturnType<typeof freshStore>>;
  let repos: Repos;
  beforeAll(async () => {
    store = await freshStore('sqlite');
    repos = createRepos(store.db);
  });
  afterAll(async () => store?.dispose());

  /** A task over an in-memory pile of `rows` rows that deletes `batch` per statement and counts its runs. */
  function pileTask(
    name: string,
    rows: number,
    options: {
      batch?: number;
      everyMs?: number;
      maxStatements?: number;
      audited?: boolean;
      fail?: boolean;
    } = {},
  ): RetentionTask & { left: number; runs: number } {
    const task = {
      name,
      kinds: [`${name}_rows`],
      everyMs: options.everyMs ?? 0,
      ...(options.maxStatements !== undefined ? { maxStatements: options.maxStatements } : {}),
      audited: options.audited ?? false,
      enabled: true,
      left: rows,
      runs: 0,
      async run(budget: RetentionBudget) {
        task.runs += 1;
        const batch = options.batch ?? 10;
        while (task.left > 0 && !budget.exhausted()) {
          const n = Math.min(batch, task.left);
          task.left -= n;
          await budget.deleted(`${name}_rows`, n);
          if (options.fail) throw new Error(`${name} lost its store`);
        }
      },
    };
    return task;
  }

  function job(options: Partial<RetentionOptions> = {}) {
    const metrics = createMetrics();
    const service = new RetentionService(
      { store, audit: repos.audit, log: createLogger('silent'), metrics },
      { liveDays: 0, scheduledDays: 0, ...options },
    );
    return { service, metrics };
  }

  it('runs registered tasks in turn, within their statement budgets, and counts their kinds in /metrics', async () => {
    const { service, metrics } = job();
    const bounded = pileTask('bounded', 95, { maxStatements: 4 });
    const whole = pileTask('whole', 25, { batch: 7 });
    service.register(bounded);
    service.register(whole);
    expect(service.enabled).toBe(true);
    // Zero series from registration on, before anything was deleted.
    expect(await metrics.render()).toContain('vigil_retention_deleted_rows_total{kind="bounded_rows"} 0');

    const first = await service.runOnce();
    expect(first.outcome).toBe('success');
    expect(first.deleted).toEqual({
      live_campaigns: 0,
      live_device_results: 0,
      scheduled_results: 0,
      bounded_rows: 40,
      whole_rows: 25,
    });
    expect(first.tasks.bounded).toMatchObject({ outcome: 'success', complete: false, statements: 4 });
    expect(first.tasks.whole).toMatchObject({ outcome: 'success', complete: true, statements: 4 });
    // Query results are kept forever here: that task did not run.
    expect(first.tasks.query_results?.outcome).toBe('skipped');
    expect(first.largestStatement).toBe(10);
    expect(bounded.left).toBe(55);

    // The next run continues where the budget stopped the last one.
    const second = await service.runOnce();
    expect(second.deleted.bounded_rows).toBe(40);
    expect(bounded.left).toBe(15);
    const text = await metrics.render();
    expect(text).toContain('vigil_retention_deleted_rows_total{kind="bounded_rows"} 80');
    expect(text).toContain('vigil_retention_deleted_rows_total{kind="whole_rows"} 25');
    expect(text).toContain('vigil_retention_runs_total{outcome="success"} 2');
  });

  it('refuses a second task of the same name or with a kind another task owns', () => {
    const { service } = job();
    service.register(pileTask('a', 1));
    expect(() => service.register(pileTask('a', 1))).toThrow(/registered twice/);
    expect(() => service.register({ ...pileTask('b', 1), kinds: ['scheduled_results'] })).toThrow(
      /belongs to another task/,
    );
  });

  it('a failing task fails the run but not the tasks after it; what it deleted is still counted', async () => {
    const { service, metrics } = job();
    service.register(pileTask('broken', 30, { fail: true }));
    const after = pileTask('after', 5);
    service.register(after);
    const result = await service.runOnce();
    expect(result.outcome).toBe('failure');
    expect(result.error).toContain('broken lost its store');
    expect(result.tasks.broken).toMatchObject({ outcome: 'failure', complete: false });
    expect(result.deleted.broken_rows).toBe(10);
    expect(after.left).toBe(0);
    const text = await metrics.render();
    expect(text).toContain('vigil_retention_deleted_rows_total{kind="broken_rows"} 10');
    expect(text).toContain('vigil_retention_runs_total{outcome="failure"} 1');
  });

  it('audits only runs in which an audited task deleted something', async () => {
    const audits = () =>
      store.db.selectFrom('audit_log').select('detail').where('action', '=', 'retention.purge').execute();
    const before = (await audits()).length;
    const { service } = job();
    service.register(pileTask('routine', 5));
    await service.runOnce();
    expect(await audits()).toHaveLength(before);
    service.register(pileTask('kept', 3, { audited: true }));
    await service.runOnce();
    const after = await audits();
    expect(after).toHaveLength(before + 1);
    expect(JSON.parse(after[after.length - 1]!.detail)).toEqual({ kept_rows: 3 });
  });

  it('ticks run each task when its own interval has passed', async () => {
    const { service } = job({ schedule: '* * * * * *', startDelayMs: 10 });
    // A pile that never runs out, so every run of a task deletes something and counts.
    const hourly = pileTask('hourly', Number.MAX_SAFE_INTEGER, { everyMs: 3_600_000, maxStatements: 1 });
    const everyTick = pileTask('every_tick', Number.MAX_SAFE_INTEGER, { everyMs: 0, maxStatements: 1 });
    service.register(hourly);
    service.register(everyTick);
    service.start();
    try {
      const deadline = Date.now() + 10_000;
      while (everyTick.runs < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await service.stop();
    }
    // The first run after start runs every task; later ticks only the due ones.
    expect(everyTick.runs).toBeGreaterThanOrEqual(3);
    expect(hourly.runs).toBe(1);
  });
});

describe('retention job failures', () => {
  it('reports a failed run in its result and metrics instead of throwing', async () => {
    const store = await freshStore('sqlite');
    const repos = createRepos(store.db);
    const metrics = createMetrics();
    const job = new RetentionService(
      { store, audit: repos.audit, log: createLogger('silent'), metrics },
      { liveDays: 30, scheduledDays: 30 },
    );
    await store.dispose();
    const result = await job.runOnce();
    expect(result.outcome).toBe('failure');
    expect(result.error).toBeTruthy();
    expect(await metrics.render()).toContain('vigil_retention_runs_total{outcome="failure"} 1');
  });
});

describe('retention job in the app', () => {
  it('is scheduled while the app runs, deletes through the real store, shows in /metrics, and stops with the app', async () => {
    const s = await startTestServer('sqlite');
    let stopped = false;
    try {
      expect(s.vigil.retention.enabled).toBe(true);
      expect(s.vigil.retention.scheduled).toBe(true);
      const admin = (await s.vigil.services.repos.users.byEmail('admin@example.test'))!;
      const id = newId();
      const createdAt = new Date(Date.now() - 31 * DAY).toISOString();
      await s.store.db
        .insertInto('query_campaigns')
        .values({
          id,
          account_id: admin.account_id,
          sql: 'SELECT 1',
          command_id: 'c',
          created_by: admin.id,
          created_at: createdAt,
          deadline_at: createdAt,
          status: 'done',
          targeted: 0,
          summary: '{}',
          saved_query_id: null,
        })
        .execute();
      expect((await s.call('GET', `/api/v1/queries/live/${id}`, { token: s.adminToken })).status).toBe(200);

      // A raw metrics sample older than its 60-minute window: the metrics task of the same job deletes it.
      const samples = new MetricsRepo(s.store.db);
      await samples.insertRaw([
        {
          device_id: 'dev-metrics',
          account_id: admin.account_id,
          ts: Date.now() - 2 * 60 * MINUTE,
          sample: '{}',
        },
      ]);
      expect(await samples.count('metric_samples', 'dev-metrics')).toBe(1);
      expect(s.vigil.retention.registered.map((t) => t.name)).toContain('metrics');

      const result = await s.vigil.retention.runOnce();
      expect(result.deleted.live_campaigns).toBe(1);
      expect(result.deleted.metrics_raw_samples).toBe(1);
      expect(await samples.count('metric_samples', 'dev-metrics')).toBe(0);
      const gone = await s.call('GET', `/api/v1/queries/live/${id}`, { token: s.adminToken });
      expect(gone.status).toBe(404);
      const page = await s.call('GET', '/metrics');
      expect(page.status).toBe(200);
      expect(page.body).toContain('vigil_retention_deleted_rows_total{kind="live_campaigns"} 1');
      expect(page.body).toContain('vigil_retention_deleted_rows_total{kind="metrics_raw_samples"} 1');
      expect(page.body).toContain('vigil_retention_deleted_rows_total{kind="agent_message_claims"} 0');

      await s.stop();
      stopped = true;
      expect(s.vigil.retention.scheduled).toBe(false);
    } finally {
      if (!stopped) await s.stop();
    }
  });
});
