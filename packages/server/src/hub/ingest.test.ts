import { sql } from 'kysely';
import Type from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeEngines } from '../store/test-stores.js';
import { startTestServer, type TestServer } from '../test-support/test-app.js';

const engines = await storeEngines();

describe.each(engines)('ingest with group commit (%s)', (engine) => {
  let s: TestServer;
  const handled: string[] = [];
  const emitted: string[] = [];
  beforeAll(async () => {
    s = await startTestServer(engine);
    const ingestor = s.vigil.hub.ingestor;
    ingestor.register('test.keep', Type.Object({ n: Type.Integer() }), async (_trx, _source, _body, item) => {
      handled.push(item.id);
    });
    ingestor.register('test.boom', Type.Object({}), async () => {
      throw new Error('handler failed');
    });
    ingestor.on('test.keep', (_source: unknown, _body: unknown, item: { id: string }) =>
      emitted.push(item.id),
    );
    // An idempotent kind: exactly once from its own table's key, all items of a group in one call.
    const db = s.vigil.services.store.db;
    await sql`create table test_once (id text primary key)`.execute(db);
    ingestor.registerIdempotent('test.once', Type.Object({ n: Type.Integer() }), async (trx, entries) => {
      onceCalls.push(entries.length);
      if (entries.some((e) => (e.body as { n: number }).n < 0)) throw new Error('idempotent handler failed');
      const stored = new Set<string>();
      for (const e of entries) {
        const r = await sql<{ id: string }>`insert into test_once (id) values (${e.item.id})
          on conflict (id) do nothing returning id`.execute(trx);
        if (r.rows.length > 0) stored.add(e.item.id);
      }
      return entries.map((e) => stored.delete(e.item.id));
    });
    ingestor.on('test.once', (_source: unknown, _body: unknown, item: { id: string }) =>
      emitted.push(item.id),
    );
  });
  const onceCalls: number[] = [];
  afterAll(async () => s?.stop());

  const item = (id: string, kind = 'test.keep') => ({
    id,
    kind,
    at: Date.now(),
    body: kind === 'test.keep' ? { n: 1 } : {},
  });
  const stored = (device: string) => s.vigil.services.repos.agentMessages.count(device);

  it('commits concurrent batches together, rolls back only the batch that failed, and stores each item once', async () => {
    const source = (d: string) => ({ deviceId: d, accountId: 'acct-ingest' });
    const good = Array.from({ length: 40 }, (_, i) =>
      s.vigil.hub.ingestor.ingest(source(`dev-good-${i % 4}`), [
        item(`good-${i}-a-000`),
        item(`good-${i}-b-000`),
      ]),
    );
    const bad = s.vigil.hub.ingestor.ingest(source('dev-bad'), [
      item('bad-first-000'),
      item('bad-boom-000', 'test.boom'),
    ]);
    const outcomes = await Promise.allSettled([...good, bad]);

    expect(outcomes.slice(0, 40).every((o) => o.status === 'fulfilled')).toBe(true);
    expect(outcomes[40]?.status).toBe('rejected');
    for (let d = 0; d < 4; d++) expect(await stored(`dev-good-${d}`)).toBe(20);
    // The failed batch left nothing behind, not even the claim of its first, valid item.
    expect(await stored('dev-bad')).toBe(0);
    expect(emitted.filter((id) => id.startsWith('bad-'))).toEqual([]);
    expect(emitted.filter((id) => id.startsWith('good-'))).toHaveLength(80);

    // Re-sent (as an agent does when it gets no ack), the good part is stored once; a duplicate is acked, not stored again.
    const again = await s.vigil.hub.ingestor.ingest(source('dev-bad'), [item('bad-first-000')]);
    expect(again.fresh.map((i) => i.id)).toEqual(['bad-first-000']);
    const dup = await s.vigil.hub.ingestor.ingest(source('dev-good-0'), [item('good-0-a-000')]);
    expect(dup).toMatchObject({ acks: ['good-0-a-000'], fresh: [] });
    expect(await stored('dev-bad')).toBe(1);
    expect(handled.filter((id) => id === 'good-0-a-000')).toHaveLength(1);
  });

  it('stores the items of an idempotent kind of a whole group in one call, once each, and rolls back only the batch whose items fail', async () => {
    const source = (d: string) => ({ deviceId: d, accountId: 'acct-ingest' });
    const once = (id: string, n = 1) => ({ id, kind: 'test.once', at: Date.now(), body: { n } });
    onceCalls.length = 0;
    const good = Array.from({ length: 10 }, (_, i) =>
      s.vigil.hub.ingestor.ingest(source(`dev-once-${i}`), [
        once(`once-${i}-000`),
        item(`once-keep-${i}-000`),
        once(`once-${i}-000`),
      ]),
    );
    const bad = s.vigil.hub.ingestor.ingest(source('dev-once-bad'), [
      item('once-bad-keep-000'),
      once('once-bad-000', -1),
    ]);
    const outcomes = await Promise.allSettled([...good, bad]);
    expect(outcomes.slice(0, 10).every((o) => o.status === 'fulfilled')).toBe(true);
    expect(outcomes[10]?.status).toBe('rejected');
    for (const [i, o] of outcomes.slice(0, 10).entries()) {
      // The repeat inside the batch is acknowledged, not stored again.
      expect(o.status === 'fulfilled' && o.value).toMatchObject({
        acks: [`once-${i}-000`, `once-keep-${i}-000`, `once-${i}-000`],
        fresh: [{ id: `once-keep-${i}-000` }, { id: `once-${i}-000` }],
      });
    }
    // One call for the group; after it failed, one per batch.
    expect(onceCalls[0]).toBe(21);
    expect(onceCalls.length).toBeGreaterThan(1);
    const rows = await sql<{ id: string }>`select id from test_once order by id`.execute(
      s.vigil.services.store.db,
    );
    expect(rows.rows.map((r) => r.id)).toEqual(Array.from({ length: 10 }, (_, i) => `once-${i}-000`));
    expect(emitted.filter((id) => id.startsWith('once-bad'))).toEqual(['once-bad-keep-000']);

    // Sent again, the stored items are acknowledged and not fresh; the failed one is stored now.
    const again = await s.vigil.hub.ingestor.ingest(source('dev-once-bad'), [
      item('once-bad-keep-000'),
      once('once-bad-000', 2),
    ]);
    expect(again.fresh.map((i) => i.id)).toEqual(['once-bad-000']);
    const dup = await s.vigil.hub.ingestor.ingest(source('dev-once-0'), [once('once-0-000')]);
    expect(dup).toMatchObject({ acks: ['once-0-000'], fresh: [] });
  });

  it('holds the next group open while batches keep coming, so batches a moment apart are committed together', async () => {
    const source = { deviceId: 'dev-stream', accountId: 'acct-ingest' };
    const once = (id: string) => ({ id, kind: 'test.once', at: Date.now(), body: { n: 1 } });
    // After a quiet spell a lone batch is committed on its own.
    await new Promise((r) => setTimeout(r, 50));
    onceCalls.length = 0;
    await s.vigil.hub.ingestor.ingest(source, [once('stream-0-000')]);
    // Right after that commit, a batch that comes one event-loop turn after another joins its group
    // (committed at once, each would have been a group of its own).
    const first = s.vigil.hub.ingestor.ingest(source, [once('stream-1-000')]);
    await new Promise((r) => setImmediate(r));
    const second = s.vigil.hub.ingestor.ingest(source, [once('stream-2-000')]);
    const outcomes = await Promise.all([first, second]);
    expect(onceCalls).toEqual([1, 2]);
    expect(outcomes.map((o) => o.fresh.map((i) => i.id))).toEqual([['stream-1-000'], ['stream-2-000']]);
  });

  it('acknowledges but reports items of unknown kinds or with invalid bodies', async () => {
    const out = await s.vigil.hub.ingestor.ingest({ deviceId: 'dev-odd', accountId: 'acct-ingest' }, [
      item('odd-unknown-000', 'test.nope'),
      { ...item('odd-invalid-000'), body: { n: 'x' } },
    ]);
    expect(out.acks).toEqual(['odd-unknown-000', 'odd-invalid-000']);
    expect(out.rejected.map((r) => r.reason)).toEqual([
      'unknown kind test.nope',
      'invalid body for test.keep',
    ]);
  });
});
