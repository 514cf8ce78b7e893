import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeEngines } from '../store/test-stores.js';
import {
  connectRawAgent,
  createEnrollmentToken,
  enrollRawAgent,
  type RawSession,
  testFacts,
} from '../test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../test-support/test-app.js';
import { CampaignCache } from './live-query-campaigns.js';

const engines = await storeEngines();

describe.each(engines)('live query answers (%s)', (engine) => {
  let s: TestServer;
  let a: Awaited<ReturnType<typeof enrollRawAgent>>;
  let b: Awaited<ReturnType<typeof enrollRawAgent>>;
  let sa: RawSession;
  let sb: RawSession;
  beforeAll(async () => {
    s = await startTestServer(engine);
    const token = await createEnrollmentToken(s, { tags: ['replay'] });
    a = await enrollRawAgent(s, token, testFacts('replay-a'));
    b = await enrollRawAgent(s, token, testFacts('replay-b'));
    sa = await connectRawAgent(s, a);
    sb = await connectRawAgent(s, b);
    await Promise.all([sa.next((m) => m.t === 'auth.ok'), sb.next((m) => m.t === 'auth.ok')]);
  });
  afterAll(async () => {
    sa?.ws.close();
    sb?.ws.close();
    await s?.stop();
  });

  const answer = (id: string, campaign: string, rows: unknown[][]) => ({
    id,
    kind: 'query.result',
    at: Date.now(),
    body: {
      command_id: 'cmd-00000001',
      campaign,
      status: 'done',
      columns: ['n'],
      rows,
      warnings: [],
      truncated: false,
      duration_ms: 1,
    },
  });
  /** Deliver items and wait for the ack that names the first of them. */
  const deliver = async (session: RawSession, items: Array<{ id: string }>) => {
    const first = items[0]?.id;
    const before = session.inbox.length;
    session.send({ t: 'outbox.deliver', items });
    return session.next(
      (m) => m.t === 'outbox.ack' && m.ids.includes(first) && session.inbox.indexOf(m) >= before,
    );
  };
  const campaign = (id: string) => s.call('GET', `/api/v1/queries/live/${id}`, { token: s.adminToken });

  it('stores an answer once when the agent sends it again, before and after the campaign closed', async () => {
    const started = await s.call('POST', '/api/v1/queries/live', {
      token: s.adminToken,
      body: { sql: 'SELECT 1 AS n', targets: { filter: "tags CONTAINS 'replay'" }, timeout_s: 20 },
    });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    await Promise.all([sa.nextCommand('query.run'), sb.nextCommand('query.run')]);
    const fresh: string[] = [];
    const onFresh = (_source: unknown, _body: unknown, item: { id: string }) => fresh.push(item.id);
    s.vigil.hub.ingestor.on('query.result', onFresh);
    try {
      // The first delivery, the same item again (its ack was lost), and the same item twice in one batch.
      const ack1 = await deliver(sa, [answer('replay-a-0001', id, [[1]])]);
      expect(ack1.ids).toEqual(['replay-a-0001']);
      const ack2 = await deliver(sa, [
        answer('replay-a-0001', id, [[99]]),
        answer('replay-a-0001', id, [[98]]),
      ]);
      expect(ack2.ids).toEqual(['replay-a-0001', 'replay-a-0001']);
      // A second answer of the same device under another message id is not stored either.
      await deliver(sa, [answer('replay-a-0002', id, [[97]])]);
      expect(fresh).toEqual(['replay-a-0001']);
      const open = await campaign(id);
      expect(open.body.status).toBe('running');
      const rowOfA = open.body.devices.find((d: { device_id: string }) => d.device_id === a.id);
      expect(rowOfA).toMatchObject({ status: 'done', rows: [[1]] });

      await deliver(sb, [answer('replay-b-0001', id, [[2], [3]])]);
      const deadline = Date.now() + 5000;
      let done = await campaign(id);
      while (done.body.status !== 'done' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        done = await campaign(id);
      }
      expect(done.body.summary).toMatchObject({ targeted: 2, answered: 2, rows: 3 });

      // Re-sent after the campaign closed: acknowledged, nothing changes.
      const late = await deliver(sa, [answer('replay-a-0001', id, [[96]])]);
      expect(late.ids).toEqual(['replay-a-0001']);
      expect(fresh).toEqual(['replay-a-0001', 'replay-b-0001']);
      const after = await campaign(id);
      expect(after.body.devices.find((d: { device_id: string }) => d.device_id === a.id).rows).toEqual([[1]]);
      expect(after.body.summary).toEqual(done.body.summary);
      // Exactly once came from the result row's own key, not from a claim row per answer.
      expect(await s.vigil.services.repos.agentMessages.count(a.id, 'query.result')).toBe(0);
    } finally {
      s.vigil.hub.ingestor.off('query.result', onFresh);
    }
  });

  it('does not store an answer to a campaign of another account', async () => {
    const started = await s.call('POST', '/api/v1/queries/live', {
      token: s.adminToken,
      body: { sql: 'SELECT 1 AS n', targets: { devices: [a.id] }, timeout_s: 20 },
    });
    const id = started.body.id as string;
    await sa.nextCommand('query.run');
    const out = await s.vigil.hub.ingestor.ingest({ deviceId: a.id, accountId: 'another-account' }, [
      answer('foreign-0001', id, [[5]]),
    ]);
    expect(out).toMatchObject({ acks: ['foreign-0001'], fresh: [], rejected: [] });
    const c = await campaign(id);
    expect(c.body.devices[0]).toMatchObject({ status: 'running', rows: [] });
  });

  it('reads a campaign it did not start from the store (another node, a restart)', async () => {
    const started = await s.call('POST', '/api/v1/queries/live', {
      token: s.adminToken,
      body: { sql: 'SELECT 1 AS n', targets: { devices: [b.id] }, timeout_s: 20 },
    });
    const id = started.body.id as string;
    const stored = await s.vigil.liveQueries.get(
      { accountId: a.accountId } as Parameters<typeof s.vigil.liveQueries.get>[0],
      id,
    );
    const cache = new CampaignCache();
    expect(await cache.get(s.vigil.services.store.db, 'no-such-campaign')).toBeUndefined();
    expect(await cache.get(s.vigil.services.store.db, id)).toEqual({
      accountId: a.accountId,
      createdAtMs: Date.parse(stored.created_at),
      deadlineMs: Date.parse(stored.deadline_at),
    });
    expect(cache.size).toBe(1);
    // A closed campaign is answered from the store but not remembered.
    await s.vigil.liveQueries.finish(id);
    const other = new CampaignCache();
    expect((await other.get(s.vigil.services.store.db, id))?.accountId).toBe(a.accountId);
    expect(other.size).toBe(0);
  });
});
