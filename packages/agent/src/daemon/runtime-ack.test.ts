/**
 * A live batch the server does not acknowledge goes out again on the same connection. The real
 * agent runtime (enrolled for real) against a real server whose ingest fails once, as when the
 * store is briefly unavailable: the server then sends no ack, and without the re-send the agent's
 * outbox would stall until the connection dropped. Proof of no loss and no duplicate: the item is
 * stored exactly once and the agent's outbox is empty afterwards, while the connection stayed up.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrollmentToken } from '../../../server/src/test-support/raw-agent.js';
import { startTestServer, type TestServer } from '../../../server/src/test-support/test-app.js';
import { enroll } from './enroll.js';
import { AgentRuntime } from './runtime.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

async function until(fn: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('live outbox: a batch without an ack is sent again', () => {
  let s: TestServer;
  let runtime: AgentRuntime | undefined;

  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(async () => {
    await runtime?.stop();
    await s?.stop();
  });

  it('re-sends after the ack timeout on the same connection; the item is stored once', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'vigil-agent-ack-'));
    const state = await enroll({
      server: s.url,
      token: await createEnrollmentToken(s),
      caFingerprint: s.vigil.services.keys.caFingerprint,
      stateDir,
    });
    const ingestor = s.vigil.hub.ingestor;
    const ingest = ingestor.ingest.bind(ingestor);
    let failed = 0;
    ingestor.ingest = async (...args: Parameters<typeof ingest>) => {
      if (args[1].some((item) => item.kind === 'test.event') && failed === 0) {
        failed += 1;
        throw new Error('the store is unavailable (injected once by this test)');
      }
      return ingest(...args);
    };
    const a = new AgentRuntime({ stateDir, log: quiet, ackTimeoutMs: 1000 });
    runtime = a;
    let connections = 0;
    a.onChannel((up) => {
      if (up) connections += 1;
    });
    a.start();
    expect(await until(() => connections === 1, 10_000)).toBe(true);
    a.outbox.enqueue('test.event', { n: 1 });
    const stored = () => s.vigil.services.repos.agentMessages.count(state.agent_id, 'test.event');
    expect(await until(async () => (await stored()) === 1, 10_000)).toBe(true);
    expect(failed).toBe(1);
    expect(await until(() => a.outbox.depth() === 0, 5_000)).toBe(true);
    expect(connections).toBe(1);
    expect(await stored()).toBe(1);
  }, 30_000);
});
