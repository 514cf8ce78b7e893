/**
 * CI-sized fleet run: simulated agents speaking the real protocol (real keys, enrollment,
 * TLS-bound handshake) against a real server; a live query fans out as one signed campaign.
 * Asserts correctness only — every agent verified the command and answered, none refused —
 * never timing (figures belong in docs/benchmarks.md, produced by `npm run bench`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../packages/server/src/test-support/test-app.js';
import { SimFleet } from './sim/fleet.js';

const SIZE = Number(process.env.VIGIL_SIM_AGENTS ?? 2000);

describe(`fleet fan-out to ${SIZE} simulated agents`, () => {
  let s: TestServer;
  let fleet: SimFleet;
  beforeAll(async () => {
    s = await startTestServer();
    const tok = await s.call('POST', '/api/v1/enrollment-tokens', {
      token: s.adminToken,
      body: { tags: ['sim'] },
    });
    fleet = new SimFleet({
      serverUrl: s.url,
      caPem: s.vigil.services.keys.ca.certPem,
      signingPublicKey: s.vigil.services.keys.signingPublicKey,
      enrollmentToken: tok.body.token,
      size: SIZE,
      sourceAddresses: 4,
    });
    await fleet.enrollAll();
    await fleet.connectAll();
  }, 180_000);
  afterAll(async () => {
    await fleet?.close();
    await s?.stop();
  });

  it('connects every agent with its own key', () => {
    expect(fleet.online()).toBe(SIZE);
    expect(s.vigil.hub.sessions.size).toBe(SIZE);
  });

  it('delivers one signed campaign that every agent verifies and answers; the server stores every answer once', async () => {
    const before = { ...fleet.stats };
    const started = await s.call('POST', '/api/v1/queries/live', {
      token: s.adminToken,
      body: {
        sql: 'SELECT pid, name, cmdline FROM processes',
        targets: { filter: "tags CONTAINS 'sim'" },
        timeout_s: 60,
      },
    });
    expect(started.status).toBe(201);
    expect(started.body.online).toBe(SIZE);
    const allAnswered = await fleet.expectAnswers(started.body.id, SIZE, 60_000);
    expect(allAnswered).toBe(true);
    expect(fleet.stats.refused).toBe(0);
    expect(fleet.stats.verified - before.verified).toBeGreaterThanOrEqual(SIZE);
    let summary: any = null;
    for (let i = 0; i < 100 && !summary; i++) {
      const c = await s.call('GET', `/api/v1/queries/live/${started.body.id}`, { token: s.adminToken });
      if (c.body.status === 'done') summary = c.body.summary;
      else await new Promise((r) => setTimeout(r, 200));
    }
    expect(summary).toMatchObject({ targeted: SIZE, answered: SIZE, errors: 0, timeout: 0, rows: SIZE * 3 });
  }, 120_000);
});
