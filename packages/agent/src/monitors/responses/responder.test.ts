/**
 * Automated responses on the agent: which detections start which actions with which parameters,
 * and the safety rules — dry run per rule, the hourly cap (kept across restarts), never the
 * agent's own processes or the server's address — each held-back response reported as refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionResultBodyT, ActionRunBodyT, ResponseRuleT, RuleSetRuleT } from '@vigil/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadActions } from '../../actions/load.js';
import type { Detection } from '../rules/engine.js';
import { checkResponseStep } from './check-step.js';
import { Responder, responseNames } from './responder.js';
import { fillParams, MissingField } from './template.js';

const definitions = new Map(loadActions().map((d) => [d.name, d]));

const bruteRule = { name: 'Linux.Auth.SshBruteForce' } as RuleSetRuleT;
const minerRule = { name: 'Linux.Processes.KnownBadProcess' } as RuleSetRuleT;

function detection(
  rule: RuleSetRuleT,
  fields: Record<string, unknown>,
  context: Record<string, unknown> = {},
): Detection {
  return {
    rule,
    key: String(fields.source_ip ?? fields.exe ?? '-'),
    event: { monitor: 'auth', at: 0, fields, summary: 's', context },
  };
}

const block: ResponseRuleT = {
  id: 'resp-block',
  name: 'block-brute-force',
  rule: 'Linux.Auth.*',
  when: [],
  actions: [{ action: 'network.block_ip', params: { address: '{{source_ip}}', expires_s: 3600 } }],
  dry_run: false,
  max_per_hour: 2,
};

describe('automated responses', () => {
  let state: string;
  let started: Array<{ id: string; body: ActionRunBodyT; rule: string }>;
  let refused: ActionResultBodyT[];
  let now: number;

  const responder = (agentPid = 4242) =>
    new Responder({
      stateDir: state,
      definitions: () => definitions,
      start: async (id, body, rule) => {
        started.push({ id, body, rule });
      },
      report: (r) => refused.push(r),
      serverAddresses: async () => ['192.0.2.10'],
      agentPid,
      log: { info: () => {}, warn: () => {} },
      now: () => now,
    });

  beforeEach(() => {
    state = mkdtempSync(join(tmpdir(), 'vigil-resp-'));
    started = [];
    refused = [];
    now = 1_000_000;
  });
  afterEach(() => rmSync(state, { recursive: true, force: true }));

  it('fills parameters from the event with their types and refuses missing fields', () => {
    expect(
      fillParams(
        { pid: '{{pid}}', path: '{{exe}}', note: 'from {{user}}@{{source_ip}}', n: 3 },
        {
          pid: 77,
          exe: '/tmp/x',
          user: 'root',
          source_ip: '10.0.0.1',
        },
      ),
    ).toEqual({ pid: 77, path: '/tmp/x', note: 'from root@10.0.0.1', n: 3 });
    expect(() => fillParams({ address: '{{source_ip}}' }, {})).toThrow(MissingField);
    expect(responseNames('Linux.Auth.*', 'Linux.Auth.SshBruteForce')).toBe(true);
    expect(responseNames('Linux.Auth.*', 'Linux.Files.X')).toBe(false);
  });

  it('checks steps against the action declarations before they are stored', () => {
    const def = (n: string) => definitions.get(n)!;
    expect(() => checkResponseStep(def('network.block_ip'), block.actions[0]!)).not.toThrow();
    expect(() => checkResponseStep(def('system.reboot'), { action: 'system.reboot', params: {} })).toThrow(
      /high-risk/,
    );
    expect(() => checkResponseStep(def('process.kill'), { action: 'process.kill', params: {} })).toThrow(
      /give one of/,
    );
    expect(() =>
      checkResponseStep(def('network.block_ip'), {
        action: 'network.block_ip',
        params: { address: '{{x}}', expires_s: 0 },
      }),
    ).toThrow(/expires_s/);
  });

  it('runs each action of a matching response with parameters from the event, in its mode', async () => {
    const r = responder();
    const kill: ResponseRuleT = {
      id: 'resp-miner',
      name: 'stop-miners',
      rule: 'Linux.Processes.KnownBadProcess',
      when: [{ field: 'user', not_equals: 'builder' }],
      actions: [
        { action: 'process.kill', params: { pid: '{{pid}}' } },
        { action: 'file.quarantine', params: { path: '{{exe}}' } },
      ],
      dry_run: true,
      max_per_hour: 10,
    };
    r.setResponses([block, kill]);
    r.onDetection(detection(minerRule, { pid: 31337, exe: '/tmp/xmrig', user: 'www-data' }));
    r.onDetection(detection(minerRule, { pid: 31338, exe: '/tmp/xmrig', user: 'builder' }));
    await r.idle();
    expect(started.map((s) => [s.body.action, s.body.params, s.body.dry_run, s.rule])).toEqual([
      ['process.kill', { pid: 31337 }, true, 'stop-miners'],
      ['file.quarantine', { path: '/tmp/xmrig' }, true, 'stop-miners'],
    ]);
    expect(started[0]?.body.timeout_s).toBe(definitions.get('process.kill')?.timeout_s);
    expect(started[0]?.id).toMatch(/^auto-/);
    expect(started[0]?.body.run_id).toBe(started[0]?.id);
  });

  it('caps executions per hour (across restarts) and says so once', async () => {
    let r = responder();
    r.setResponses([block]);
    for (const ip of ['10.0.0.1', '10.0.0.2']) r.onDetection(detection(bruteRule, { source_ip: ip }));
    await r.idle();
    r = responder();
    r.setResponses([block]);
    for (const ip of ['10.0.0.3', '10.0.0.4']) r.onDetection(detection(bruteRule, { source_ip: ip }));
    await r.idle();
    expect(started.map((s) => s.body.params.address)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      status: 'refused',
      rule: 'block-brute-force',
      error: { code: 'E_ACTION_REFUSED' },
    });
    expect(refused[0]?.summary).toMatch(/cap of 2 executions per hour/);
    now += 3600_000;
    r.onDetection(detection(bruteRule, { source_ip: '10.0.0.5' }));
    await r.idle();
    expect(started.map((s) => s.body.params.address)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.5']);
  });

  it('never acts on the server address or the agent and what it started, and reports why', async () => {
    const r = responder(4242);
    const kill: ResponseRuleT = {
      ...block,
      id: 'k',
      name: 'kill-all',
      rule: 'Linux.Processes.*',
      actions: [{ action: 'process.kill', params: { pid: '{{pid}}' } }],
      max_per_hour: 100,
    };
    r.setResponses([{ ...block, max_per_hour: 100 }, kill]);
    r.onDetection(detection(bruteRule, { source_ip: '192.0.2.10' }));
    r.onDetection(detection(minerRule, { pid: 4242 }));
    r.onDetection(detection(minerRule, { pid: 5000, ppid: 4242 }));
    r.onDetection(
      detection(
        minerRule,
        { pid: 6000, ppid: 10 },
        { process_tree: [{ pid: 6000 }, { pid: 10 }, { pid: 4242 }] },
      ),
    );
    r.onDetection(detection(minerRule, {}));
    await r.idle();
    expect(started).toEqual([]);
    const why = refused.map((x) => x.summary);
    expect(why.filter((w) => /Vigil server's address/.test(w))).toHaveLength(1);
    expect(why.filter((w) => /never acts on itself/.test(w))).toHaveLength(3);
    expect(why.filter((w) => /has no pid/.test(w))).toHaveLength(1);
  });
});
