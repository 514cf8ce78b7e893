import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectRawAgent,
  createEnrollmentToken,
  enrollRawAgent,
  testFacts,
} from '../../test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

describe('agent alert sources through the one raise() entry', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite', { heartbeat: 2, poll: 2 });
  });
  afterAll(async () => s?.stop());

  it('turns refused-command security events into one coalesced alert, and a vanished agent into agent.lost', async () => {
    const token = await createEnrollmentToken(s);
    const agent = await enrollRawAgent(s, token, testFacts('refusing-1'));
    const session = await connectRawAgent(s, agent);
    await session.next((m) => m.t === 'auth.ok');
    const event = (id: string) => ({
      id,
      kind: 'security.event',
      at: Date.now(),
      body: {
        type: 'command_refused',
        reason: 'bad_signature',
        detail: 'the envelope signature does not verify',
      },
    });
    session.send({ t: 'outbox.deliver', items: [event('sec-0001'), event('sec-0002')] });
    await session.next((m) => m.t === 'outbox.ack');
    // A re-sent item (lost ack) is stored once and does not count again.
    session.send({ t: 'outbox.deliver', items: [event('sec-0002')] });
    await session.next((m) => m.t === 'outbox.ack' && m.ids.includes('sec-0002'));
    const list = await s.call('GET', `/api/v1/alerts?device=${agent.id}&rule=agent.command_refused`, {
      token: s.adminToken,
    });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ severity: 'high', status: 'open', count: 2 });
    const one = await s.call('GET', `/api/v1/alerts/${list.body.items[0].id}`, { token: s.adminToken });
    expect(one.body.context).toMatchObject({
      reason: 'bad_signature',
      detail: 'the envelope signature does not verify',
    });

    session.ws.terminate();
    const deadline = Date.now() + 15_000;
    let lost: Array<{ rule: string }> = [];
    while (Date.now() < deadline && lost.length === 0) {
      lost = (
        await s.call('GET', `/api/v1/alerts?device=${agent.id}&rule=agent.lost`, { token: s.adminToken })
      ).body.items;
      if (lost.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(lost).toHaveLength(1);
    const audit = await s.call('GET', '/api/v1/audit?action=alert.raise', { token: s.adminToken });
    expect(
      audit.body.items.filter((e: { target: string }) => e.target.startsWith('alert:')).length,
    ).toBeGreaterThanOrEqual(2);
  });
});
