import { generateKeyPairSync } from 'node:crypto';
import { ed25519PublicKeyFromRaw, QUIET_PING_PAYLOAD, verifyCommand } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  commandKind,
  connectRawAgent,
  createEnrollmentToken,
  enrollRawAgent,
  rawPoll,
  testFacts,
} from '../test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../test-support/test-app.js';

const status = { mode: 'poll', version: '0.1.0', outbox_depth: 0, outbox_evicted: 0 };

describe('agent hub', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite', { heartbeat: 1, poll: 1 });
  });
  afterAll(async () => s?.stop());

  const deviceStatus = async (id: string) =>
    (await s.call('GET', `/api/v1/devices/${id}`, { token: s.adminToken })).body.status;
  const waitFor = async (fn: () => Promise<boolean>, ms = 5000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await fn()) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  };

  it('authenticates a live agent by its key bound to the TLS session and marks it online', async () => {
    const token = await createEnrollmentToken(s);
    const agent = await enrollRawAgent(s, token, testFacts('live-1'));
    expect(agent.status).toBe(201);
    const session = await connectRawAgent(s, agent);
    const ok = await session.next((m) => m.t === 'auth.ok');
    expect(ok.heartbeat_s).toBe(1);
    expect(await deviceStatus(agent.id)).toBe('online');
    session.send({ t: 'agent.goodbye', reason: 'stop' });
    session.ws.close(1000);
    await session.closed;
    expect(await waitFor(async () => (await deviceStatus(agent.id)) === 'offline')).toBe(true);
    const lost = await s.vigil.services.repos.alerts.list(agent.accountId, {
      device_id: agent.id,
      rule: 'agent.lost',
    });
    expect(lost).toHaveLength(0);
    // A clean stop is an info alert with the reason (no tamper alert); it is raised after the status changes.
    const stoppedAlerts = () =>
      s.vigil.services.repos.alerts.list(agent.accountId, { device_id: agent.id, rule: 'agent.stopped' });
    expect(await waitFor(async () => (await stoppedAlerts()).length > 0)).toBe(true);
    const stopped = await stoppedAlerts();
    expect(stopped).toHaveLength(1);
    expect(stopped[0]).toMatchObject({ severity: 'info', title: 'Agent on live-1 stopped cleanly (stop)' });
    expect(JSON.parse(String(stopped[0]?.context))).toMatchObject({ reason: 'stop', hostname: 'live-1' });
  });

  it('refuses a signature by another key with close code 4401 and an unknown agent likewise', async () => {
    const token = await createEnrollmentToken(s);
    const agent = await enrollRawAgent(s, token, testFacts('live-2'));
    const bad = await connectRawAgent(s, agent, { signWith: generateKeyPairSync('ed25519').privateKey });
    expect((await bad.closed).code).toBe(4401);
    const unknown = await connectRawAgent(s, { ...agent, id: 'f'.repeat(32) });
    expect((await unknown.closed).code).toBe(4401);
  });

  it('delivers a signed ping the agent can verify, and ingests results exactly once', async () => {
    const token = await createEnrollmentToken(s);
    const agent = await enrollRawAgent(s, token, testFacts('live-3'));
    const session = await connectRawAgent(s, agent);
    await session.next((m) => m.t === 'auth.ok');
    const sent = await s.call('POST', `/api/v1/devices/${agent.id}/commands`, {
      token: s.adminToken,
      body: { kind: 'agent.ping', body: { echo: 'hi' } },
    });
    expect(sent.status).toBe(202);
    expect(sent.body.delivered).toBe(true);
    const cmd = await session.nextCommand('agent.ping');
    const serverKey = ed25519PublicKeyFromRaw(s.vigil.services.keys.signingPublicKey);
    const verified = verifyCommand(cmd.env, {
      serverKey,
      accountId: agent.accountId,
      agentId: agent.id,
      now: Date.now(),
      seen: () => false,
    });
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    expect(verified.command.body).toEqual({ echo: 'hi' });
    const item = {
      id: 'msg-result-0001',
      kind: 'command.result',
      at: Date.now(),
      body: { command_id: verified.command.id, kind: 'agent.ping', ok: true, result: { echo: 'hi' } },
    };
    session.send({ t: 'outbox.deliver', items: [item] });
    expect((await session.next((m) => m.t === 'outbox.ack')).ids).toEqual(['msg-result-0001']);
    session.inbox.length = 0;
    session.send({ t: 'outbox.deliver', items: [item] });
    expect((await session.next((m) => m.t === 'outbox.ack')).ids).toEqual(['msg-result-0001']);
    expect(await s.vigil.services.repos.agentMessages.count(agent.id)).toBe(1);
    const result = await s.call('GET', `/api/v1/devices/${agent.id}/commands/${verified.command.id}`, {
      token: s.adminToken,
    });
    expect(result.body).toMatchObject({ completed: true, ok: true, result: { echo: 'hi' } });
    session.ws.close();
  });

  it('closes with 4400 on a message outside the protocol', async () => {
    const token = await createEnrollmentToken(s);
    const agent = await enrollRawAgent(s, token, testFacts('live-4'));
    const session = await connectRawAgent(s, agent);
    await session.next((m) => m.t === 'auth.ok');
    session.send({ t: 'rm.rf', path: '/' });
    expect((await session.closed).code).toBe(4400);
  });

  it('marks an agent that vanishes without goodbye lost and raises an alert', async () => {
    const token = await createEnrollmentToken(s);
    const agent = await enrollRawAgent(s, token, testFacts('live-5'));
    const session = await connectRawAgent(s, agent);
    await session.next((m) => m.t === 'auth.ok');
    session.ws.terminate();
    expect(await waitFor(async () => (await deviceStatus(agent.id)) === 'lost')).toBe(true);
    const lost = await s.vigil.services.repos.alerts.list(agent.accountId, {
      device_id: agent.id,
      rule: 'agent.lost',
    });
    expect(lost).toHaveLength(1);
  });

  it('does not drop agents on a sweep that ran late after an event-loop stall, only on the next one', async () => {
    const token = await createEnrollmentToken(s);
    const agent = await enrollRawAgent(s, token, testFacts('live-stall'));
    const session = await connectRawAgent(s, agent);
    await session.next((m) => m.t === 'auth.ok');
    const hub = s.vigil.hub;
    const live = hub.sessions.get(agent.id);
    if (!live) throw new Error('no live session');
    const terminate = live.terminate.bind(live);
    let dropped = 0;
    live.terminate = () => {
      dropped += 1;
      terminate();
    };
    // Seen as if 10 s passed with no sweep (since the last one, or since the start): that round only pings.
    const late = Date.now() + 10_000;
    await hub.sweep(late);
    expect(dropped).toBe(0);
    // A sweep on time right after it judges: the agent's last message is 10 s old, so it is dropped.
    await hub.sweep(late + 100);
    expect(dropped).toBe(1);
    await session.closed;
  });

  it('pings only live sessions that stayed silent for a heartbeat: an agent that pings keeps its own heartbeat', async () => {
    const token = await createEnrollmentToken(s);
    const agent = await enrollRawAgent(s, token, testFacts('live-ping'));
    const session = await connectRawAgent(s, agent);
    await session.next((m) => m.t === 'auth.ok');
    const hub = s.vigil.hub;
    const live = hub.sessions.get(agent.id);
    if (!live) throw new Error('no live session');
    const ping = live.ping.bind(live);
    let pinged = 0;
    live.ping = () => {
      pinged += 1;
      ping();
    };
    // Heard from just now (its own ping, say): the sweep leaves it alone.
    live.lastSeen = Date.now() + 10_000;
    await hub.sweep(Date.now());
    expect(pinged).toBe(0);
    // Silent for longer than a heartbeat (1 s here): the sweep pings it, and its pong counts as heard.
    live.lastSeen = Date.now() - 1500;
    const before = live.lastSeen;
    await hub.sweep(Date.now());
    expect(pinged).toBeGreaterThanOrEqual(1);
    expect(await waitFor(async () => live.lastSeen > before)).toBe(true);
    session.ws.close(1000);
    await session.closed;
  });

  it('answers an agent ping with a pong unless the ping asks for none; both count as heard', async () => {
    const token = await createEnrollmentToken(s);
    const agent = await enrollRawAgent(s, token, testFacts('live-quiet-ping'));
    const session = await connectRawAgent(s, agent);
    await session.next((m) => m.t === 'auth.ok');
    const live = s.vigil.hub.sessions.get(agent.id);
    if (!live) throw new Error('no live session');
    const pongs: string[] = [];
    session.ws.on('pong', (data) => pongs.push(String(data)));
    live.lastSeen = 0;
    session.ws.ping(QUIET_PING_PAYLOAD);
    expect(await waitFor(async () => live.lastSeen > 0)).toBe(true);
    session.ws.ping('older-agent');
    expect(await waitFor(async () => pongs.length > 0)).toBe(true);
    // A marker ping after the others: its pong arriving means the quiet one was not answered.
    session.ws.ping();
    expect(await waitFor(async () => pongs.length > 1)).toBe(true);
    expect(pongs).toEqual(['older-agent', '']);
    session.ws.close(1000);
    await session.closed;
  });

  it('stores a command sent live as delivered at once, and queues it if the session went away while it was stored', async () => {
    const token = await createEnrollmentToken(s);
    const agent = await enrollRawAgent(s, token, testFacts('live-deliver'));
    const session = await connectRawAgent(s, agent);
    await session.next((m) => m.t === 'auth.ok');
    const hub = s.vigil.hub;
    const repo = s.vigil.services.repos.agentCommands;
    const sent = await hub.sendToDevice(agent.accountId, agent.id, 'agent.ping', {});
    expect(sent.live).toEqual([agent.id]);
    await session.nextCommand('agent.ping');
    expect((await repo.get(agent.id, sent.commandId))?.delivered_at).not.toBeNull();
    // The session disappears while the row is written: the row must stay queued for the next connect.
    const live = hub.sessions.get(agent.id);
    if (!live) throw new Error('no live session');
    const enqueue = repo.enqueue.bind(repo);
    repo.enqueue = async (rows) => {
      hub.sessions.delete(agent.id);
      await enqueue(rows);
    };
    try {
      const missed = await hub.sendToDevice(agent.accountId, agent.id, 'agent.ping', {});
      expect(missed.queued).toEqual([agent.id]);
      expect((await repo.pending(agent.id)).map((r) => r.id)).toContain(missed.commandId);
    } finally {
      repo.enqueue = enqueue;
      hub.sessions.set(agent.id, live);
    }
    session.ws.close(1000);
    await session.closed;
  });

  it('revocation closes the live connection within a second and bars the key', async () => {
    const token = await createEnrollmentToken(s);
    const agent = await enrollRawAgent(s, token, testFacts('live-6'));
    const session = await connectRawAgent(s, agent);
    await session.next((m) => m.t === 'auth.ok');
    const t0 = Date.now();
    const res = await s.call('POST', `/api/v1/devices/${agent.id}/revoke`, { token: s.adminToken });
    expect(res.body.status).toBe('revoked');
    const closed = await session.closed;
    expect(closed.code).toBe(4403);
    expect(Date.now() - t0).toBeLessThan(1000);
    const again = await connectRawAgent(s, agent);
    expect((await again.closed).code).toBe(4403);
    const poll = await rawPoll(s, agent, { items: [], status });
    expect(poll.status).toBe(403);
    expect(poll.body.error.code).toBe('E_AGENT_REVOKED');
  });

  it('accepts signed polls, refuses replays and forged ones, and hands queued commands over', async () => {
    const token = await createEnrollmentToken(s);
    const agent = await enrollRawAgent(s, token, testFacts('poll-1'));
    const first = await rawPoll(
      s,
      agent,
      { items: [], status, facts: agent.facts },
      { nonce: 'aa'.repeat(16) },
    );
    expect(first.status).toBe(200);
    expect(await deviceStatus(agent.id)).toBe('online');
    const replay = await rawPoll(
      s,
      agent,
      { items: [], status, facts: agent.facts },
      { nonce: 'aa'.repeat(16) },
    );
    expect(replay.body.error.code).toBe('E_SIGNATURE_INVALID');
    const forged = await rawPoll(
      s,
      agent,
      { items: [], status },
      { signWith: generateKeyPairSync('ed25519').privateKey },
    );
    expect(forged.status).toBe(401);
    const sent = await s.call('POST', `/api/v1/devices/${agent.id}/commands`, {
      token: s.adminToken,
      body: { kind: 'agent.ping' },
    });
    expect(sent.body.delivered).toBe(false);
    const next = await rawPoll(s, agent, {
      items: [{ id: 'poll-item-0001', kind: 'test.event', at: Date.now(), body: { n: 1 } }],
      status,
    });
    expect(next.body.acks).toEqual(['poll-item-0001']);
    expect(
      next.body.commands.map(
        (e: { payload: string }) => JSON.parse(Buffer.from(e.payload, 'base64').toString()).kind,
      ),
    ).toEqual(['agent.ping']);
    const after = await rawPoll(s, agent, { items: [], status });
    expect(after.body.commands).toHaveLength(0);
    expect(await waitFor(async () => (await deviceStatus(agent.id)) === 'lost', 9000)).toBe(true);
  }, 15_000);

  it('signs a campaign once for many agents; each can verify it as addressed to its account', async () => {
    const token = await createEnrollmentToken(s);
    const a = await enrollRawAgent(s, token, testFacts('camp-a'));
    const b = await enrollRawAgent(s, token, testFacts('camp-b'));
    const [sa, sb] = await Promise.all([connectRawAgent(s, a), connectRawAgent(s, b)]);
    await Promise.all([sa.next((m) => m.t === 'auth.ok'), sb.next((m) => m.t === 'auth.ok')]);
    const d = await s.vigil.hub.sendCampaign(a.accountId, [a.id, b.id], 'agent.ping', {});
    expect(d.live.sort()).toEqual([a.id, b.id].sort());
    const [ca, cb] = await Promise.all([sa.nextCommand('agent.ping'), sb.nextCommand('agent.ping')]);
    expect(ca.env.sig).toBe(cb.env.sig);
    const serverKey = ed25519PublicKeyFromRaw(s.vigil.services.keys.signingPublicKey);
    for (const [agent, c] of [
      [a, ca],
      [b, cb],
    ] as const) {
      expect(
        verifyCommand(c.env, {
          serverKey,
          accountId: agent.accountId,
          agentId: agent.id,
          now: Date.now(),
          seen: () => false,
        }).ok,
      ).toBe(true);
      expect(
        verifyCommand(c.env, {
          serverKey,
          accountId: 'other-account',
          agentId: agent.id,
          now: Date.now(),
          seen: () => false,
        }),
      ).toMatchObject({ ok: false, reason: 'wrong_audience' });
    }
    sa.ws.close();
    sb.ws.close();
  });

  it('keeps the signed envelope only in the rows of agents that were not connected', async () => {
    const token = await createEnrollmentToken(s);
    const a = await enrollRawAgent(s, token, testFacts('env-live'));
    const b = await enrollRawAgent(s, token, testFacts('env-away'));
    const sa = await connectRawAgent(s, a);
    await sa.next((m) => m.t === 'auth.ok');
    const d = await s.vigil.hub.sendCampaign(a.accountId, [a.id, b.id], 'agent.ping', {}, 60_000);
    expect(d).toMatchObject({ live: [a.id], queued: [b.id] });
    const sent = await sa.nextCommand('agent.ping');
    const rows = await s.vigil.services.store.db
      .selectFrom('agent_commands')
      .select(['device_id', 'delivered_at', 'envelope'])
      .where('id', '=', d.commandId)
      .execute();
    const row = (id: string) => rows.find((r) => r.device_id === id);
    // Sent live: never sent again from the store, so it keeps no copy of a possibly large envelope.
    expect(row(a.id)).toMatchObject({ envelope: '' });
    expect(row(a.id)?.delivered_at).not.toBeNull();
    expect(row(b.id)).toMatchObject({ envelope: JSON.stringify(sent.env), delivered_at: null });
    const sb = await connectRawAgent(s, b);
    expect((await sb.nextCommand('agent.ping')).env.sig).toBe(sent.env.sig);
    sa.ws.close();
    sb.ws.close();
  });

  it('sends a campaign whose answers go elsewhere before recording it, and queues it for the agents that are not connected', async () => {
    const token = await createEnrollmentToken(s);
    const a = await enrollRawAgent(s, token, testFacts('first-a'));
    const b = await enrollRawAgent(s, token, testFacts('first-b'));
    const sa = await connectRawAgent(s, a);
    await sa.next((m) => m.t === 'auth.ok');
    const d = await s.vigil.hub.sendCampaignWithId(
      'camp-first-0001',
      a.accountId,
      [a.id, b.id],
      'agent.ping',
      {},
      60_000,
      {
        answersElsewhere: true,
      },
    );
    expect(d).toMatchObject({ live: [a.id], queued: [b.id], campaignId: 'camp-first-0001' });
    const sent = await sa.nextCommand('agent.ping');
    const rows = await s.vigil.services.store.db
      .selectFrom('agent_commands')
      .select(['device_id', 'delivered_at', 'campaign_id', 'envelope'])
      .where('id', '=', d.commandId)
      .orderBy('device_id')
      .execute();
    expect(rows.map((r) => [r.device_id, r.delivered_at !== null, r.campaign_id]).sort()).toEqual(
      [
        [a.id, true, 'camp-first-0001'],
        [b.id, false, 'camp-first-0001'],
      ].sort(),
    );
    // Only the row of the agent that was away keeps the envelope: it is sent from the store.
    expect(rows.find((r) => r.device_id === a.id)?.envelope).toBe('');
    expect(rows.find((r) => r.device_id === b.id)?.envelope).toBe(JSON.stringify(sent.env));
    // The agent that was away gets it when it connects, once.
    const sb = await connectRawAgent(s, b);
    const queued = await sb.nextCommand('agent.ping');
    expect(queued.env.sig).toBe(sent.env.sig);
    await new Promise((r) => setTimeout(r, 200));
    expect(sb.inbox.filter((m) => commandKind(m) === 'agent.ping')).toHaveLength(1);
    expect(sa.inbox.filter((m) => commandKind(m) === 'agent.ping')).toHaveLength(1);
    sa.ws.close();
    sb.ws.close();
  });
});

describe('agent hub with the default 30 s heartbeat', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(async () => s?.stop());

  it('does not ping an agent whose own heartbeat ping came a little late, only one silent for a heartbeat and a sweep', async () => {
    const agent = await enrollRawAgent(s, await createEnrollmentToken(s), testFacts('default-hb'));
    const session = await connectRawAgent(s, agent);
    await session.next((m) => m.t === 'auth.ok');
    const hub = s.vigil.hub;
    const live = hub.sessions.get(agent.id);
    if (!live) throw new Error('no live session');
    let pinged = 0;
    live.ping = () => {
      pinged += 1;
    };
    const now = Date.now();
    await hub.sweep(now);
    // Heard 31 s ago: the agent's ping every 30 s is simply due; a server ping would double the
    // idle traffic (bench/bandwidth counts it).
    live.lastSeen = now + 7_500 - 31_000;
    await hub.sweep(now + 7_500);
    expect(pinged).toBe(0);
    // Silent for 38 s (a heartbeat and more than a sweep): pinged, with two sweeps left before the drop at 60 s.
    live.lastSeen = now + 15_000 - 38_000;
    await hub.sweep(now + 15_000);
    expect(pinged).toBe(1);
    session.ws.close(1000);
    await session.closed;
  });
});
