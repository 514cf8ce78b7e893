import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CommandPayloadT, signCommand } from '@vigil/protocol';
import { validators } from '@vigil/protocol/agent-runtime';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from './dispatch.js';
import { Outbox } from './outbox.js';

const server = generateKeyPairSync('ed25519');
const quiet = { info() {}, warn() {}, error() {} };

function setup(dir = mkdtempSync(join(tmpdir(), 'vigil-dispatch-'))) {
  const outbox = new Outbox(dir);
  const calls: unknown[] = [];
  const d = new Dispatcher(
    { serverKey: server.publicKey, accountId: 'acc1', agentId: 'agent1' },
    outbox,
    quiet,
  );
  d.register('agent.ping', {
    validator: validators.PingBody,
    run: (body) => {
      calls.push(body);
      return { pong: true };
    },
  });
  return { d, outbox, calls, dir };
}

const payload = (over: Partial<CommandPayloadT> = {}): CommandPayloadT => ({
  id: `cmd-${Math.random().toString(36).slice(2, 12)}`,
  kind: 'agent.ping',
  aud: { account: 'acc1', agent: 'agent1' },
  iat: Date.now(),
  exp: Date.now() + 60_000,
  body: { echo: 'x' },
  ...over,
});

const refusals = (o: Outbox) =>
  o
    .peek()
    .filter((i) => i.kind === 'security.event')
    .map((i) => (i.body as { reason: string }).reason);

describe('signed command refusal matrix', () => {
  it('runs a valid command once and reports its result', async () => {
    const { d, outbox, calls } = setup();
    await d.handle(signCommand(payload(), server.privateKey));
    expect(calls).toEqual([{ echo: 'x' }]);
    expect(outbox.peek().map((i) => i.kind)).toEqual(['command.result']);
  });

  it('refuses forged, altered, misaddressed, expired, replayed, foreign-key, unknown and invalid commands without running them', async () => {
    const { d, outbox, calls } = setup();
    const good = signCommand(payload(), server.privateKey);
    const other = generateKeyPairSync('ed25519');
    const cases: Array<[string, unknown]> = [
      ['bad_signature', { ...good, sig: Buffer.alloc(64, 7).toString('base64') }],
      [
        'bad_signature',
        {
          ...good,
          payload: Buffer.from(Buffer.from(good.payload, 'base64').toString().replace('"x"', '"y"')).toString(
            'base64',
          ),
        },
      ],
      [
        'wrong_audience',
        signCommand(payload({ aud: { account: 'acc1', agent: 'agent2' } }), server.privateKey),
      ],
      [
        'wrong_audience',
        signCommand(payload({ aud: { account: 'acc2', agent: 'agent1' } }), server.privateKey),
      ],
      [
        'expired',
        signCommand(payload({ iat: Date.now() - 600_000, exp: Date.now() - 300_000 }), server.privateKey),
      ],
      ['bad_signature', signCommand(payload(), other.privateKey)],
      ['unknown_kind', signCommand(payload({ kind: 'rm.rf' }), server.privateKey)],
      ['invalid_body', signCommand(payload({ body: { echo: 1 } }), server.privateKey)],
      ['malformed_envelope', { v: 2 }],
    ];
    for (const [, env] of cases) await d.handle(env);
    expect(calls).toEqual([]);
    expect(refusals(outbox)).toEqual(cases.map(([reason]) => reason));
  });

  it('refuses a replay, also after the agent restarted', async () => {
    const first = setup();
    const env = signCommand(payload(), server.privateKey);
    await first.d.handle(env);
    await first.d.handle(env);
    expect(first.calls).toHaveLength(1);
    first.outbox.close();
    const again = setup(first.dir);
    await again.d.handle(env);
    expect(again.calls).toHaveLength(0);
    expect(refusals(again.outbox)).toEqual(['replayed', 'replayed']);
  });
});
