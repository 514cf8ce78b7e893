/**
 * The console event stream over real TLS: presence of a protocol-level agent, enrollment and
 * alerts arrive as events; one account's stream never sees another's; the stream needs a
 * credential, sends heartbeats, ends when its session ends, cleans up after a client leaves and
 * drops a client that does not read.
 */
import { randomUUID } from 'node:crypto';
import { setImmediate as tick } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeEngines } from '../../store/test-stores.js';
import { testActionsDir } from '../../test-support/action-agents.js';
import { openEventStream } from '../../test-support/event-stream.js';
import {
  connectRawAgent,
  createEnrollmentToken,
  enrollRawAgent,
  type RawAgent,
  testFacts,
} from '../../test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../../test-support/test-app.js';

const ADMIN = { email: 'admin@example.test', password: 'correct horse battery staple' };
const HEARTBEAT_MS = 300;

/** Wait until `check` holds (polling briefly), or fail with `what`. */
async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const engines = await storeEngines();

describe.each(engines)('console event stream on %s', (kind) => {
  let s: TestServer;
  let viewer: string;
  let accountA: string;
  let enrollment: string;
  let agent: RawAgent;
  let other: { accountId: string; token: string };
  const url = () => `${s.url}/api/v1/events/stream`;

  beforeAll(async () => {
    s = await startTestServer(kind, {
      events: { heartbeatMs: HEARTBEAT_MS },
      actions: { dir: testActionsDir(), timeoutMarginMs: 300, sweepMs: 100, resumeGraceMs: 0 },
    });
    viewer = await s.tokenFor('viewer');
    accountA = (await s.call('GET', '/api/v1/me', { token: viewer })).body.account.id;
    enrollment = await createEnrollmentToken(s);
    const b = await s.otherAccount();
    other = { accountId: b.accountId, token: b.adminToken };
  });
  afterAll(async () => s?.stop());

  it('refuses a request without a valid credential with 401', async () => {
    const none = await s.call('GET', '/api/v1/events/stream');
    expect([none.status, none.body.error.code]).toEqual([401, 'E_UNAUTHENTICATED']);
    const bad = await s.call('GET', '/api/v1/events/stream', { token: 'vgt_not-a-token' });
    expect([bad.status, bad.body.error.code]).toEqual([401, 'E_UNAUTHENTICATED']);
    const forged = await s.call('GET', '/api/v1/events/stream', {
      headers: { cookie: 'vigil_session=vgs_forged' },
    });
    expect(forged.status).toBe(401);
    expect(s.vigil.services.events.listenerCount(accountA)).toBe(0);
  });

  it('tells a viewer that a device enrolled, came online and was lost', async () => {
    const stream = await openEventStream(url(), viewer, s.dispatcher);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toContain('text/event-stream');
    await stream.next((e) => e.event === 'hello');

    agent = await enrollRawAgent(s, enrollment, testFacts('live-host'));
    const enrolled = await stream.next((e) => e.event === 'device.enrolled');
    expect(enrolled.data).toMatchObject({
      type: 'device.enrolled',
      device_id: agent.id,
      hostname: 'live-host',
    });

    const session = await connectRawAgent(s, agent);
    await session.next((m) => m.t === 'auth.ok');
    const online = await stream.next((e) => e.event === 'device.presence' && e.data.status === 'online');
    expect(online.data).toMatchObject({ device_id: agent.id });
    // The console refetches on the event: the change must already be readable.
    const device = await s.call('GET', `/api/v1/devices/${agent.id}`, { token: viewer });
    expect(device.body.status).toBe('online');

    // Gone without a goodbye: lost, and the tamper alert it raises.
    session.ws.close();
    const lost = await stream.next((e) => e.event === 'device.presence' && e.data.status === 'lost');
    expect(lost.data.device_id).toBe(agent.id);
    const alert = await stream.next((e) => e.event === 'alert.raised' && e.data.rule === 'agent.lost');
    expect(alert.data).toMatchObject({ device_id: agent.id, status: 'open', count: 1, severity: 'high' });
    stream.close();
    await stream.ended;
  });

  it('tells of alerts raised, coalesced and acknowledged in its own account only', async () => {
    const a = await openEventStream(url(), viewer, s.dispatcher);
    const b = await openEventStream(url(), other.token, s.dispatcher);
    await a.next((e) => e.event === 'hello');
    await b.next((e) => e.event === 'hello');

    const raise = (accountId: string, title: string) =>
      s.vigil.services.alerts.raise({
        account_id: accountId,
        device_id: null,
        rule: 'test.stream',
        severity: 'low',
        title,
        context: {},
      });
    const inA = await raise(accountA, 'in account A');
    await raise(accountA, 'in account A again');
    const inB = await raise(other.accountId, 'in account B');

    const raised = await a.next((e) => e.event === 'alert.raised' && e.data.alert_id === inA.alert.id);
    expect(raised.data).toMatchObject({ rule: 'test.stream', status: 'open', count: 1 });
    const coalesced = await a.next((e) => e.event === 'alert.updated' && e.data.alert_id === inA.alert.id);
    expect(coalesced.data.count).toBe(2);
    const ack = await s.call('POST', `/api/v1/alerts/${inA.alert.id}/ack`, {
      token: s.adminToken,
      body: {},
    });
    expect(ack.status).toBe(200);
    const acked = await a.next((e) => e.event === 'alert.updated' && e.data.status === 'acknowledged');
    expect(acked.data.alert_id).toBe(inA.alert.id);

    // B saw its own alert, after A's were published, and nothing of A's.
    await b.next((e) => e.event === 'alert.raised' && e.data.alert_id === inB.alert.id);
    const seenByB = b.events.filter((e) => e.event !== 'hello').map((e) => e.data.alert_id);
    expect(seenByB).toEqual([inB.alert.id]);
    expect(a.events.some((e) => e.data.alert_id === inB.alert.id)).toBe(false);
    a.close();
    b.close();
  });

  it('tells of an action run as it starts and ends', async () => {
    const stream = await openEventStream(url(), viewer, s.dispatcher);
    await stream.next((e) => e.event === 'hello');
    // The agent is lost (an earlier test): its device is skipped and the run completes at once.
    const run = await s.call('POST', '/api/v1/actions', {
      token: s.adminToken,
      body: { action: 'process.kill', params: { pid: 321 }, targets: { devices: [agent.id] } },
    });
    expect(run.status, JSON.stringify(run.body)).toBe(201);
    const started = await stream.next((e) => e.event === 'action.run' && e.data.run_id === run.body.id);
    expect(started.data.status).toBe('running');
    const ended = await stream.next(
      (e) => e.event === 'action.run' && e.data.run_id === run.body.id && e.data.status !== 'running',
    );
    expect(ended.data.status).toBe('completed');
    stream.close();
  });

  it('tells of an alert an agent raised only once the ingest committed it', async () => {
    const stream = await openEventStream(url(), viewer, s.dispatcher);
    await stream.next((e) => e.event === 'hello');
    const session = await connectRawAgent(s, agent);
    await session.next((m) => m.t === 'auth.ok');
    const item = { id: randomUUID(), kind: 'security.event', at: Date.now() };
    const body = { type: 'command_refused', reason: 'bad_signature', detail: 'test' };
    session.send({ t: 'outbox.deliver', items: [{ ...item, body }] });
    const raised = await stream.next(
      (e) => e.event === 'alert.raised' && e.data.rule === 'agent.command_refused',
    );
    // Reloading on the event finds the alert: it was published after the commit, not inside it.
    const read = await s.call('GET', `/api/v1/alerts/${raised.data.alert_id}`, { token: viewer });
    expect([read.status, read.body.device?.id]).toEqual([200, agent.id]);
    // The same occurrence delivered again (a lost ack) is stored once and tells nobody.
    session.send({ t: 'outbox.deliver', items: [{ ...item, body }] });
    await session.next(
      (m) => m.t === 'outbox.ack' && session.inbox.filter((x) => x.t === 'outbox.ack').length >= 2,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(stream.events.filter((e) => e.data?.rule === 'agent.command_refused')).toHaveLength(1);
    session.ws.close();
    await stream.next((e) => e.event === 'device.presence' && e.data.status === 'lost' && e.at > raised.at);
    stream.close();
  });

  it('sends heartbeat comment lines while nothing happens', async () => {
    const res = await request(url(), {
      dispatcher: s.dispatcher,
      headers: { authorization: `Bearer ${viewer}` },
    });
    let text = '';
    for await (const chunk of res.body) {
      text += chunk.toString();
      if ((text.match(/^: heartbeat$/gm) ?? []).length >= 2) break;
    }
    expect(text).toMatch(/^event: hello$/m);
    expect((text.match(/^: heartbeat$/gm) ?? []).length).toBe(2);
  });

  it('removes its listener when the client disconnects', async () => {
    await until(() => s.vigil.services.events.listenerCount(accountA) === 0, 'earlier streams are gone');
    const first = await openEventStream(url(), viewer, s.dispatcher);
    const second = await openEventStream(url(), viewer, s.dispatcher);
    await first.next((e) => e.event === 'hello');
    await second.next((e) => e.event === 'hello');
    expect(s.vigil.services.events.listenerCount(accountA)).toBe(2);
    first.close();
    await until(
      () => s.vigil.services.events.listenerCount(accountA) === 1,
      'the first stream is cleaned up',
    );
    second.close();
    await until(
      () => s.vigil.services.events.listenerCount(accountA) === 0,
      'the second stream is cleaned up',
    );
  });

  it('ends a cookie-session stream once the user logs out', async () => {
    s.vigil.services.auth.ipLimiter.reset('ip:127.0.0.1');
    const login = await s.call('POST', '/api/v1/sessions', { body: ADMIN });
    expect(login.status).toBe(201);
    const raw = login.headers['set-cookie'];
    const cookie = String(
      (Array.isArray(raw) ? raw : [raw]).map(String).find((c) => c.startsWith('vigil_session=')),
    ).split(';')[0] as string;
    const stream = await openEventStream(url(), null, s.dispatcher, { cookie });
    expect(stream.status).toBe(200);
    await stream.next((e) => e.event === 'hello');
    const out = await s.call('DELETE', '/api/v1/sessions', {
      headers: { cookie, 'x-csrf-token': login.body.csrf_token },
    });
    expect(out.status).toBe(200);
    const ended = await Promise.race([
      stream.ended.then(() => 'ended'),
      new Promise((r) => setTimeout(() => r('still open'), 5 * HEARTBEAT_MS)),
    ]);
    expect(ended).toBe('ended');
    await until(
      () => s.vigil.services.events.listenerCount(accountA) === 0,
      'the ended stream is cleaned up',
    );
  });

  it('drops a client that stops reading instead of buffering for it without end', async () => {
    await until(
      () => s.vigil.services.events.listenerCount(other.accountId) === 0,
      'earlier streams are gone',
    );
    // Read nothing: the socket buffers fill, then the server's own buffer.
    const res = await request(url(), {
      dispatcher: s.dispatcher,
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(s.vigil.services.events.listenerCount(other.accountId)).toBe(1);
    const event = {
      type: 'alert.updated' as const,
      alert_id: 'flood',
      device_id: null,
      rule: `test.flood.${'x'.repeat(400)}`,
      severity: 'low' as const,
      status: 'open' as const,
      count: 1,
      at: new Date().toISOString(),
    };
    let sent = 0;
    // At most 200 MB of events: far beyond any socket buffer, so a stream still open fails.
    while (s.vigil.services.events.listenerCount(other.accountId) > 0 && sent < 400_000) {
      for (let i = 0; i < 1000; i++) s.vigil.services.events.publish(other.accountId, event);
      sent += 1000;
      await tick();
    }
    expect(s.vigil.services.events.listenerCount(other.accountId)).toBe(0);
    res.body.destroy();
  });
});
