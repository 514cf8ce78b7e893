import { ed25519PublicKeyFromRaw, verifyCommand } from '@vigil/protocol';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandKind,
  connectRawAgent,
  createEnrollmentToken,
  enrollRawAgent,
  type RawSession,
  testFacts,
} from '../../test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

/** Read an SSE stream until the summary event, returning every event. */
async function readStream(s: TestServer, id: string): Promise<Array<{ event: string; data: any }>> {
  const res = await request(`${s.url}/api/v1/queries/live/${id}/stream`, {
    dispatcher: s.dispatcher,
    headers: { authorization: `Bearer ${s.adminToken}` },
  });
  expect(res.headers['content-type']).toContain('text/event-stream');
  const events: Array<{ event: string; data: any }> = [];
  let buffer = '';
  for await (const chunk of res.body) {
    buffer += chunk.toString();
    let idx = buffer.indexOf('\n\n');
    while (idx >= 0) {
      const block = buffer.slice(0, idx);
      buffer = buffer.slice(idx + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null');
      events.push({ event, data });
      idx = buffer.indexOf('\n\n');
    }
  }
  return events;
}

describe('live queries', () => {
  let s: TestServer;
  let a: Awaited<ReturnType<typeof enrollRawAgent>>;
  let b: Awaited<ReturnType<typeof enrollRawAgent>>;
  let sa: RawSession;
  let sb: RawSession;
  beforeAll(async () => {
    s = await startTestServer();
    const token = await createEnrollmentToken(s, { tags: ['lab'] });
    a = await enrollRawAgent(s, token, testFacts('answering'));
    b = await enrollRawAgent(s, token, testFacts('silent'));
    sa = await connectRawAgent(s, a);
    sb = await connectRawAgent(s, b);
    await Promise.all([sa.next((m) => m.t === 'auth.ok'), sb.next((m) => m.t === 'auth.ok')]);
  });
  afterAll(async () => {
    sa?.ws.close();
    sb?.ws.close();
    await s?.stop();
  });

  it('refuses SQL that does not validate before any fan-out', async () => {
    const typo = await s.call('POST', '/api/v1/queries/live', {
      token: s.adminToken,
      body: { sql: 'SELECT pid FROM procesess', targets: { all: true } },
    });
    expect(typo.status).toBe(400);
    expect(typo.body.error.code).toBe('E_INVALID_SQL');
    const write = await s.call('POST', '/api/v1/queries/live', {
      token: s.adminToken,
      body: { sql: 'DELETE FROM processes', targets: { all: true } },
    });
    expect(write.body.error.code).toBe('E_QUERY_NOT_READ_ONLY');
    expect(sa.inbox.filter((m) => commandKind(m) === 'query.run')).toHaveLength(0);
  });

  it('streams rows from the agent that answers and times out the silent one', async () => {
    const started = await s.call('POST', '/api/v1/queries/live', {
      token: s.adminToken,
      body: {
        sql: 'SELECT pid, name FROM processes',
        targets: { filter: "tags CONTAINS 'lab'" },
        timeout_s: 2,
      },
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ targeted: 2, online: 2, offline: 0 });
    const stream = readStream(s, started.body.id);
    const cmd = await sa.nextCommand('query.run');
    await sb.nextCommand('query.run');
    const serverKey = ed25519PublicKeyFromRaw(s.vigil.services.keys.signingPublicKey);
    const v = verifyCommand(cmd.env, {
      serverKey,
      accountId: a.accountId,
      agentId: a.id,
      now: Date.now(),
      seen: () => false,
    });
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.command.kind).toBe('query.run');
    expect(v.command.aud).toEqual({ account: a.accountId, campaign: started.body.id });
    sa.send({
      t: 'outbox.deliver',
      items: [
        {
          id: 'qr-answer-0001',
          kind: 'query.result',
          at: Date.now(),
          body: {
            command_id: v.command.id,
            campaign: started.body.id,
            status: 'done',
            columns: ['pid', 'name'],
            rows: [
              [1, 'init'],
              [42, 'sshd'],
            ],
            warnings: [],
            truncated: false,
            duration_ms: 3,
          },
        },
      ],
    });
    const events = await stream;
    const rows = events.filter((e) => e.event === 'rows');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.data).toMatchObject({
      hostname: 'answering',
      columns: ['pid', 'name'],
      rows: [
        [1, 'init'],
        [42, 'sshd'],
      ],
    });
    const statuses = events.filter((e) => e.event === 'status').map((e) => [e.data.hostname, e.data.status]);
    expect(statuses).toContainEqual(['answering', 'done']);
    expect(statuses).toContainEqual(['silent', 'timeout']);
    const summary = events.at(-1);
    expect(summary?.event).toBe('summary');
    expect(summary?.data.summary).toMatchObject({ targeted: 2, answered: 1, timeout: 1, rows: 2 });
    expect(summary?.data.summary.latency_p50_ms).toBeGreaterThanOrEqual(0);
    const csv = await s.call('GET', `/api/v1/queries/live/${started.body.id}/results?format=csv`, {
      token: s.adminToken,
    });
    expect(String(csv.body).split('\n')[0]).toBe('device_id,hostname,pid,name');
    expect(String(csv.body)).toContain(`${a.id},answering,42,sshd`);
  });

  it('reports offline targets as offline at once', async () => {
    sb.ws.close();
    await sb.closed;
    await new Promise((r) => setTimeout(r, 100));
    const started = await s.call('POST', '/api/v1/queries/live', {
      token: s.adminToken,
      body: { sql: 'SELECT 1 AS one', targets: { devices: [b.id] }, timeout_s: 1 },
    });
    expect(started.body).toMatchObject({ targeted: 1, online: 0, offline: 1 });
    const events = await readStream(s, started.body.id);
    expect(events.at(-1)?.data.summary).toMatchObject({ targeted: 1, offline: 1, answered: 0 });
  });
});
