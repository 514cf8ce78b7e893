/**
 * checks.set_deflated on the agent: a signed, deflated check set is inflated within its bound,
 * held to the checks.set schema and to the digest it was sent under, and only then replaces the
 * running set; anything else is an error result and the running set stays. The dispatcher, the
 * outbox and the signatures are real; the runner is a recorder standing in for the check schedule.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { type ChecksSetBodyT, deflateJson, MAX_INFLATED_BODY_BYTES, signCommand } from '@vigil/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher } from '../dispatch.js';
import { Outbox } from '../outbox.js';
import { type CheckRunner, registerCheckHandlers } from './checks.js';

const server = generateKeyPairSync('ed25519');
const quiet = { info() {}, warn() {}, error() {} };
const outboxes: Outbox[] = [];
afterEach(() => {
  for (const o of outboxes.splice(0)) o.close();
});

const set: ChecksSetBodyT = {
  digest: 'd-1',
  checks: [
    {
      name: 'Linux.System.UptimeBelowLimit',
      severity: 'low',
      query: 'SELECT 1 FROM uptime WHERE days < 30',
      pass_when: 'rows',
      interval_s: 3600,
    },
  ],
  full_state_interval_s: 21_600,
};

function agent() {
  const outbox = new Outbox(mkdtempSync(join(tmpdir(), 'vigil-checks-deflated-')));
  outboxes.push(outbox);
  const d = new Dispatcher(
    { serverKey: server.publicKey, accountId: 'acc1', agentId: 'agent1' },
    outbox,
    quiet,
  );
  const replaced: ChecksSetBodyT[] = [];
  const runner = { replace: async (s: ChecksSetBodyT) => void replaced.push(s) } as unknown as CheckRunner;
  registerCheckHandlers(d, runner);
  const send = async (body: unknown) => {
    const id = `cmd-${randomBytes(8).toString('hex')}`;
    const now = Date.now();
    await d.handle(
      signCommand(
        {
          id,
          kind: 'checks.set_deflated',
          aud: { account: 'acc1', agent: 'agent1' },
          iat: now,
          exp: now + 60_000,
          body,
        },
        server.privateKey,
      ),
    );
    const result = outbox
      .peek()
      .find((i) => i.kind === 'command.result' && (i.body as { command_id: string }).command_id === id);
    return result?.body as {
      ok: boolean;
      result?: { checks: number };
      error?: { code: string; message: string };
    };
  };
  return { send, replaced, outbox };
}

describe('checks.set_deflated', () => {
  it('replaces the running set with the inflated one', async () => {
    const a = agent();
    const r = await a.send({ digest: set.digest, deflated: deflateJson(set) });
    expect(r).toMatchObject({ ok: true, result: { checks: 1 } });
    expect(a.replaced).toEqual([set]);
  });

  it('refuses a body that inflates past the bound, is not deflate, is not a check set, or names another digest', async () => {
    const a = agent();
    const bomb = deflateRawSync(Buffer.alloc(MAX_INFLATED_BODY_BYTES + 1, 0x20)).toString('base64');
    const cases: Array<[unknown, RegExp]> = [
      [{ digest: 'd-1', deflated: bomb }, /inflates past/],
      [{ digest: 'd-1', deflated: Buffer.from('not deflate').toString('base64') }, /not raw deflate/],
      [
        { digest: 'd-1', deflated: deflateJson({ digest: 'd-1', checks: 'all' }) },
        /does not match the checks.set schema/,
      ],
      [{ digest: 'd-2', deflated: deflateJson(set) }, /is d-1, not d-2/],
    ];
    for (const [body, message] of cases) {
      const r = await a.send(body);
      expect(r?.ok).toBe(false);
      expect(r?.error?.message).toMatch(message);
    }
    expect(a.replaced).toHaveLength(0);
  });
});
