/**
 * The signed rules.set command on a real dispatcher: a valid set replaces the monitors' rules and
 * responses; an agent without monitors accepts it without a refusal; a malformed set is refused
 * and changes nothing.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signCommand } from '@vigil/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher } from '../daemon/dispatch.js';
import { Outbox } from '../daemon/outbox.js';
import { loadRules } from './rules/load.js';
import { renderRule } from './rules/render.js';
import { registerRulesHandler } from './rules-handler.js';
import { MonitorService } from './service.js';

const server = generateKeyPairSync('ed25519');
const quiet = { info() {}, warn() {}, error() {} };

describe('rules.set', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function setup(withMonitors: boolean) {
    const state = mkdtempSync(join(tmpdir(), 'vigil-rules-set-'));
    const root = mkdtempSync(join(tmpdir(), 'vigil-rules-root-'));
    dirs.push(state, root);
    mkdirSync(join(root, 'var/log'), { recursive: true });
    writeFileSync(join(root, 'var/log/auth.log'), '');
    const outbox = new Outbox(state);
    const d = new Dispatcher(
      { serverKey: server.publicKey, accountId: 'acc1', agentId: 'agent1' },
      outbox,
      quiet,
    );
    const monitors = withMonitors
      ? new MonitorService({
          stateDir: state,
          root,
          outbox,
          log: quiet,
          serverUrl: 'https://127.0.0.1:1',
          monitorFactory: () => undefined,
        })
      : undefined;
    registerRulesHandler(d, monitors);
    return { d, outbox, monitors };
  }

  const command = (body: unknown) =>
    signCommand(
      {
        id: `cmd-${Math.random().toString(36).slice(2, 12)}`,
        kind: 'rules.set',
        aud: { account: 'acc1', agent: 'agent1' },
        iat: Date.now(),
        exp: Date.now() + 60_000,
        body,
      },
      server.privateKey,
    );

  const set = {
    digest: 'abc',
    rules: loadRules()
      .filter((r) => r.monitor === 'auth')
      .map((r) => renderRule(r)),
    responses: [
      {
        id: 'r1',
        name: 'block',
        rule: 'Linux.Auth.SshBruteForce',
        when: [],
        actions: [{ action: 'network.block_ip', params: { address: '{{source_ip}}' } }],
        dry_run: true,
        max_per_hour: 5,
      },
    ],
  };

  it('replaces the rules and responses of the monitors', async () => {
    const { d, outbox, monitors } = setup(true);
    await d.handle(command(set));
    expect(monitors?.current().digest).toBe('abc');
    expect(monitors?.responder.list().map((r) => r.name)).toEqual(['block']);
    const result = outbox.peek().find((i) => i.kind === 'command.result')?.body as {
      ok: boolean;
      result: { rules: number };
    };
    expect(result.ok).toBe(true);
    expect(result.result.rules).toBe(set.rules.length);
    await monitors?.stop();
    outbox.close();
  });

  it('is accepted, not refused, by an agent that runs no monitors', async () => {
    const { d, outbox } = setup(false);
    await d.handle(command(set));
    expect(outbox.peek().map((i) => i.kind)).toEqual(['command.result']);
    outbox.close();
  });

  it('refuses a malformed set and keeps the current one', async () => {
    const { d, outbox, monitors } = setup(true);
    await d.handle(command({ ...set, rules: [{ name: 'not a rule' }] }));
    expect(monitors?.current().digest).toBe('shipped');
    expect(outbox.peek().map((i) => [i.kind, (i.body as { reason?: string }).reason])).toEqual([
      ['security.event', 'invalid_body'],
    ]);
    await monitors?.stop();
    outbox.close();
  });
});
