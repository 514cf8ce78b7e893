import {
  ed25519PublicKeyFromRaw,
  type ScheduleSetBodyT,
  scheduleDigest,
  verifyCommand,
} from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandKind,
  connectRawAgent,
  createEnrollmentToken,
  enrollRawAgent,
  testFacts,
} from '../../test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

describe('saved and scheduled queries', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.stop());

  it('pushes a signed schedule to targeted agents and stores their differential results', async () => {
    const token = await createEnrollmentToken(s, { tags: ['web'] });
    const agent = await enrollRawAgent(s, token, testFacts('web-1'));
    const session = await connectRawAgent(s, agent);
    await session.next((m) => m.t === 'auth.ok');
    const first = await session.nextCommand('schedule.set');
    const serverKey = ed25519PublicKeyFromRaw(s.vigil.services.keys.signingPublicKey);
    const v0 = verifyCommand(first.env, {
      serverKey,
      accountId: agent.accountId,
      agentId: agent.id,
      now: Date.now(),
      seen: () => false,
    });
    expect(v0.ok && v0.command.body).toEqual({ queries: [] });

    const bad = await s.call('POST', '/api/v1/queries', {
      token: s.adminToken,
      body: { name: 'bad', sql: 'SELECT 1', targets: { all: true }, cron: 'every day please' },
    });
    expect(bad.body.error.code).toBe('E_VALIDATION');

    session.inbox.length = 0;
    const created = await s.call('POST', '/api/v1/queries', {
      token: s.adminToken,
      body: {
        name: 'listeners',
        sql: 'SELECT port FROM listening_ports',
        targets: { filter: "tags CONTAINS 'web'" },
        interval_s: 60,
        mode: 'differential',
      },
    });
    expect(created.status).toBe(201);
    const pushed = await session.nextCommand('schedule.set');
    const v1 = verifyCommand(pushed.env, {
      serverKey,
      accountId: agent.accountId,
      agentId: agent.id,
      now: Date.now(),
      seen: () => false,
    });
    expect(v1.ok && v1.command.body).toEqual({
      queries: [
        {
          id: created.body.id,
          name: 'listeners',
          sql: 'SELECT port FROM listening_ports',
          interval_s: 60,
          mode: 'differential',
        },
      ],
    });

    session.send({
      t: 'outbox.deliver',
      items: [
        {
          id: 'sched-result-0001',
          kind: 'query.scheduled',
          at: Date.now() - 1000,
          body: {
            query_id: created.body.id,
            at: Date.now() - 1000,
            mode: 'differential',
            columns: ['port'],
            added: [[22]],
            removed: [],
          },
        },
        {
          id: 'sched-result-0002',
          kind: 'query.scheduled',
          at: Date.now(),
          body: {
            query_id: created.body.id,
            at: Date.now(),
            mode: 'differential',
            columns: ['port'],
            added: [[8080]],
            removed: [[22]],
          },
        },
      ],
    });
    await session.next((m) => m.t === 'outbox.ack');
    const results = await s.call('GET', `/api/v1/queries/listeners/results?device=${agent.id}`, {
      token: s.adminToken,
    });
    expect(results.body.items.map((r: { added: unknown; removed: unknown }) => [r.added, r.removed])).toEqual(
      [
        [[[8080]], [[22]]],
        [[[22]], []],
      ],
    );
    const jsonl = await s.call('GET', '/api/v1/queries/listeners/results?format=jsonl', {
      token: s.adminToken,
    });
    expect(String(jsonl.body).trim().split('\n')).toHaveLength(2);

    session.ws.close();
    await session.closed;
    const again = await connectRawAgent(s, agent);
    await again.next((m) => m.t === 'auth.ok');
    const onReconnect = await again.nextCommand('schedule.set');
    const v2 = verifyCommand(onReconnect.env, {
      serverKey,
      accountId: agent.accountId,
      agentId: agent.id,
      now: Date.now(),
      seen: () => false,
    });
    expect(v2.ok && (v2.command.body as { queries: unknown[] }).queries).toHaveLength(1);
    again.ws.close();
    await again.closed;

    // An agent that says it holds this schedule is not sent it again; one holding another is.
    if (!v2.ok) throw new Error(v2.reason);
    const queries = (v2.command.body as ScheduleSetBodyT).queries;
    const connectHolding = async (digest: string) => {
      const session = await connectRawAgent(s, agent, { held: { schedule_set: digest } });
      await session.nextCommand('checks.set'); // attach sends it after the schedule
      session.ws.close();
      await session.closed;
      return session.inbox.filter((m) => commandKind(m) === 'schedule.set').length;
    };
    expect(await connectHolding(scheduleDigest(queries))).toBe(0);
    expect(await connectHolding(scheduleDigest([]))).toBe(1);
  });

  it('runs a saved query live on demand', async () => {
    const run = await s.call('POST', '/api/v1/queries/listeners/run', {
      token: s.adminToken,
      body: { timeout_s: 1 },
    });
    expect(run.status).toBe(201);
    expect(run.body.targeted).toBe(1);
  });
});
