/**
 * Metrics storage on SQLite and PostgreSQL: ingest is idempotent, and the retention job keeps every
 * tier within its window — proven by feeding a week of generated samples (60 s apart, with two
 * 10-minute bursts at 1 s as while someone watches) through the real ingest and retention code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../store/db.js';
import { MetricsRepo, type MetricsTables } from '../../store/repos/metrics.js';
import { freshStore, storeEngines } from '../../store/test-stores.js';
import { ingestSamples, type MetricsRetentionWindows } from './ingest-samples.js';
import { MetricsRetention } from './metrics-retention.js';
import { bucketStart } from './series.js';
import { testSample } from './test-samples.js';

const engines = await storeEngines();
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

describe.each(engines)('metrics storage on %s', (kind) => {
  let store: Store & { dispose(): Promise<void> };
  let repo: MetricsRepo;
  beforeAll(async () => {
    store = await freshStore(kind);
    repo = new MetricsRepo(store.db);
  });
  afterAll(async () => {
    await store?.dispose();
  });

  const ingest = (
    deviceId: string,
    samples: ReturnType<typeof testSample>[],
    now: number,
    windows: MetricsRetentionWindows,
  ) =>
    store.db
      .transaction()
      .execute((trx) => ingestSamples(trx, { deviceId, accountId: 'acc-1' }, samples, now, windows));

  it('stores a re-sent sample once, in raw, roll-ups and latest', async () => {
    const windows = { rawMs: HOUR, minuteMs: 7 * DAY, hourMs: 90 * DAY };
    const t0 = bucketStart(Date.now(), HOUR) - HOUR;
    const batch = Array.from({ length: 10 }, (_, i) => testSample(t0 + i * 1000, i));
    expect(await ingest('dev-idem', batch, t0 + 20_000, windows)).toBe(10);
    const before = await repo.rollups('metric_rollups_1m', 'dev-idem', [t0]);
    expect(await ingest('dev-idem', batch, t0 + 20_000, windows)).toBe(0);
    // Half old, half new, and one sample twice in the same item.
    const next = [
      ...batch.slice(5),
      ...Array.from({ length: 5 }, (_, i) => testSample(t0 + (10 + i) * 1000, 10 + i)),
    ];
    expect(await ingest('dev-idem', [...next, next[9]!], t0 + 20_000, windows)).toBe(5);
    expect(await repo.count('metric_samples', 'dev-idem')).toBe(15);
    const minute = await repo.rollups('metric_rollups_1m', 'dev-idem', [t0]);
    expect(before[0]?.samples).toBe(10);
    expect(minute[0]?.samples).toBe(15);
    const cpu = JSON.parse(minute[0]!.series).cpu as number[];
    // cpu of sample i is i: 0+1+…+14 = 105, max 14.
    expect(cpu).toEqual([105, 14]);
    const hour = await repo.rollups('metric_rollups_1h', 'dev-idem', [t0]);
    expect(hour[0]?.samples).toBe(15);
    expect((await repo.latest('acc-1', 'dev-idem'))?.ts).toBe(t0 + 14_000);
    // An older sample arriving late does not replace the latest.
    await ingest('dev-idem', [testSample(t0 - 5000, 99)], t0 + 20_000, windows);
    expect((await repo.latest('acc-1', 'dev-idem'))?.ts).toBe(t0 + 14_000);
  });

  it('refuses samples older than the 1-minute tier keeps, or from the future', async () => {
    const windows = { rawMs: HOUR, minuteMs: DAY, hourMs: 10 * DAY };
    const now = Date.now();
    const n = await ingest(
      'dev-window',
      [testSample(now - DAY - 1000, 1), testSample(now + HOUR, 2), testSample(now - 1000, 3)],
      now,
      windows,
    );
    expect(n).toBe(1);
    expect(await repo.count('metric_samples', 'dev-window')).toBe(1);
  });

  it('keeps each tier within its window while a week of samples flows in', async () => {
    // Windows shorter than the defaults, so a week of data crosses every one of them.
    const windows = { rawMs: HOUR, minuteMs: 2 * DAY, hourMs: 5 * DAY };
    const retention = new MetricsRetention({ store }, { ...windows, batchSize: 500, now: () => clock });
    const start = bucketStart(Date.UTC(2024, 0, 1), DAY);
    const end = start + 7 * DAY;
    // Every 60 s for a week, plus 1 s samples during two 10-minute live views (one at the very end).
    const stamps = new Set<number>();
    for (let ts = start; ts < end; ts += MINUTE) stamps.add(ts);
    for (const burst of [start + 3 * DAY + 5 * HOUR, end - 10 * MINUTE])
      for (let ts = burst; ts < burst + 10 * MINUTE; ts += 1000) stamps.add(ts);
    const all = [...stamps].sort((a, b) => a - b);
    let clock = start;
    let nextRun = start + HOUR;
    const maxSeen = { raw: 0, minute: 0, hour: 0 };
    for (let i = 0; i < all.length; i += 30) {
      const batch = all.slice(i, i + 30).map((ts, j) => testSample(ts, i + j));
      clock = (batch[batch.length - 1]?.ts ?? clock) + 1000;
      await ingest('dev-week', batch, clock, windows);
      if (clock >= nextRun) {
        await retention.runOnce();
        nextRun += HOUR;
        maxSeen.raw = Math.max(maxSeen.raw, await repo.count('metric_samples', 'dev-week'));
        maxSeen.minute = Math.max(maxSeen.minute, await repo.count('metric_rollups_1m', 'dev-week'));
        maxSeen.hour = Math.max(maxSeen.hour, await repo.count('metric_rollups_1h', 'dev-week'));
      }
    }
    const result = await retention.runOnce();
    expect(result.complete).toBe(true);

    // What must be left, counted from the generated timestamps, independently of the store.
    const expectRaw = all.filter((ts) => ts >= clock - windows.rawMs).length;
    const expectMinutes = new Set(
      all.map((ts) => bucketStart(ts, MINUTE)).filter((b) => b >= clock - windows.minuteMs),
    ).size;
    const expectHours = new Set(
      all.map((ts) => bucketStart(ts, HOUR)).filter((b) => b >= clock - windows.hourMs),
    ).size;
    expect(await repo.count('metric_samples', 'dev-week')).toBe(expectRaw);
    expect(await repo.count('metric_rollups_1m', 'dev-week')).toBe(expectMinutes);
    expect(await repo.count('metric_rollups_1h', 'dev-week')).toBe(expectHours);
    // The bound: a tier never holds more than its window (plus the hour between two runs).
    expect(expectMinutes).toBeLessThanOrEqual(2 * 24 * 60 + 1);
    expect(expectHours).toBeLessThanOrEqual(5 * 24 + 1);
    expect(maxSeen.minute).toBeLessThanOrEqual(2 * 24 * 60 + 60 + 1);
    expect(maxSeen.hour).toBeLessThanOrEqual(5 * 24 + 2);
    // Raw at most: an hour (plus the hour between runs) at 60 s, plus one 10-minute burst at 1 s.
    expect(maxSeen.raw).toBeLessThanOrEqual(2 * 60 + 600 + 1);
    // The week really was more than the windows hold: the job deleted, not just the windows.
    expect(all.length).toBeGreaterThan(10_000);
    expect(await repo.count('metric_latest')).toBeGreaterThanOrEqual(1);
    // The oldest kept minute is inside the window.
    const kept = await repo.rollupRange('metric_rollups_1m', 'dev-week', 0, Number.MAX_SAFE_INTEGER);
    expect(kept[0]!.bucket).toBeGreaterThanOrEqual(clock - windows.minuteMs);
  }, 240_000);

  it('deletes in batches no larger than the batch size and stops at its statement budget', async () => {
    // Rows left by the other tests are older than this test's raw window too: start clean.
    await store.db.withTables<MetricsTables>().deleteFrom('metric_samples').execute();
    const windows = { rawMs: MINUTE, minuteMs: 30 * DAY, hourMs: 30 * DAY };
    const t0 = Date.now() - 2 * HOUR;
    const samples = Array.from({ length: 120 }, (_, i) => testSample(t0 + i * 1000, i));
    await ingest('dev-batch', samples, t0 + 200_000, windows);
    const retention = new MetricsRetention(
      { store },
      { ...windows, batchSize: 50, maxStatements: 2, now: () => Date.now() },
    );
    const first = await retention.runOnce();
    expect(first.deleted.raw).toBe(100);
    expect(first.complete).toBe(false);
    expect(await repo.count('metric_samples', 'dev-batch')).toBe(20);
    const second = await new MetricsRetention({ store }, { ...windows, batchSize: 50 }).runOnce();
    expect(second.deleted.raw).toBe(20);
    expect(second.complete).toBe(true);
    expect(await repo.count('metric_samples', 'dev-batch')).toBe(0);
  });

  it('forgets old metrics message ids and rate commands, and nothing else', async () => {
    const old = new Date(Date.now() - 40 * DAY).toISOString();
    const recent = new Date().toISOString();
    await store.db
      .insertInto('agent_messages')
      .values([
        { device_id: 'd1', msg_id: 'metrics-old-1', kind: 'metrics.sample', received_at: old },
        { device_id: 'd1', msg_id: 'metrics-new-1', kind: 'metrics.sample', received_at: recent },
        { device_id: 'd1', msg_id: 'query-old-1', kind: 'query.result', received_at: old },
      ])
      .execute();
    const command = (id: string, kindOf: string, at: string) => ({
      id,
      device_id: 'd1',
      account_id: 'acc-1',
      kind: kindOf,
      campaign_id: null,
      envelope: '{}',
      created_at: at,
      expires_at: at,
      delivered_at: null,
      completed_at: null,
      ok: null,
      result: null,
    });
    await store.db
      .insertInto('agent_commands')
      .values([
        command('rate-old', 'metrics.rate', old),
        command('rate-new', 'metrics.rate', recent),
        command('ping-old', 'agent.ping', old),
      ])
      .execute();
    const r = await new MetricsRetention(
      { store },
      { rawMs: HOUR, minuteMs: 7 * DAY, hourMs: 90 * DAY },
    ).runOnce();
    expect(r.deleted.message_ids).toBe(1);
    expect(r.deleted.rate_commands).toBe(1);
    const ids = (
      await store.db.selectFrom('agent_messages').select('msg_id').where('device_id', '=', 'd1').execute()
    )
      .map((x) => x.msg_id)
      .sort();
    expect(ids).toEqual(['metrics-new-1', 'query-old-1']);
    const commands = (
      await store.db.selectFrom('agent_commands').select('id').where('device_id', '=', 'd1').execute()
    )
      .map((x) => x.id)
      .sort();
    expect(commands).toEqual(['ping-old', 'rate-new']);
  });
});
