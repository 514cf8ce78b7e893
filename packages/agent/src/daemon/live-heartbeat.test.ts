/**
 * The live channel's heartbeat against a real server (1 s heartbeat here): the agent pings every
 * interval, asks for a pong only on the first ping of each round, and the server answers exactly
 * those — so the connection stays up on half the pongs. Counted on the agent's own socket.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PONG_EVERY_PINGS, QUIET_PING_PAYLOAD } from '@vigil/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrollmentToken } from '../../../server/src/test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../../../server/src/test-support/test-app.js';
import { enroll } from './enroll.js';
import { hostFacts } from './facts.js';
import { loadIdentity } from './identity.js';
import { openLive } from './live.js';

const quiet = { info: () => {}, warn: () => {} };

describe('live heartbeat', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite', { heartbeat: 1 });
  });
  afterAll(async () => s?.stop());

  it('asks for a pong on one ping in each round and stays connected on those pongs alone', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'vigil-agent-heartbeat-'));
    await enroll({
      server: s.url,
      token: await createEnrollmentToken(s),
      caFingerprint: s.vigil.services.keys.caFingerprint,
      stateDir,
    });
    const { privateKey, state } = loadIdentity(stateDir);
    const session = openLive(state, privateKey, {
      facts: () => hostFacts(),
      status: () => ({ mode: 'live', version: '0.1.0', outbox_depth: 0, outbox_evicted: 0 }),
      onCommand: () => {},
      onAck: () => {},
      onAuthenticated: () => {},
      log: quiet,
    });
    const sent: string[] = [];
    const ping = session.ws.ping.bind(session.ws);
    session.ws.ping = (data?: unknown, mask?: boolean, cb?: (err: Error) => void) => {
      sent.push(data === undefined ? '' : String(data));
      ping(data, mask, cb);
    };
    let pongs = 0;
    session.ws.on('pong', () => {
      pongs += 1;
    });
    let closed = false;
    void session.closed.then(() => {
      closed = true;
    });
    await session.opened;
    // Longer than the agent's silence limit (3 heartbeats) with one pong per two pings.
    await new Promise((r) => setTimeout(r, 4_700));
    expect(closed).toBe(false);
    expect(sent.length).toBeGreaterThanOrEqual(4);
    sent.forEach((payload, i) => {
      expect(payload).toBe(i % PONG_EVERY_PINGS === 0 ? '' : QUIET_PING_PAYLOAD);
    });
    // The server answered the pings that asked, and only those (the sweep pings nobody who pings).
    expect(pongs).toBe(Math.ceil(sent.length / PONG_EVERY_PINGS));
    const live = s.vigil.hub.sessions.get(state.agent_id);
    expect(live && Date.now() - live.lastSeen).toBeLessThan(1_500);
    session.ws.close(1000);
    await session.closed;
  }, 20_000);
});
