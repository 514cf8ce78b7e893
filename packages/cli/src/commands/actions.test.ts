import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ActionDefinitionT, ActionRunT } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { FINAL_RUN_STATUSES, parseActionTargets, parseParams, runLine } from './actions.js';

const KILL = {
  name: 'process.kill',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      pid: { type: 'integer' },
      name: { type: 'string' },
      force: { type: 'boolean' },
      ports: { type: 'array', items: { type: 'integer' } },
    },
  },
} as unknown as ActionDefinitionT;

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    io: {
      out: (s) => {
        stdout += s;
      },
      err: (s) => {
        stderr += s;
      },
    },
    // No server configured: anything that got as far as connecting would fail differently.
    env: { VIGIL_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'vigil-cli-')) },
    stdin: Readable.from(['']),
  });
  return { code, stdout, stderr };
}

describe('vigil actions: argument handling', () => {
  it('types --param values by the declared schema and keeps undeclared ones as strings', () => {
    expect(parseParams(KILL, ['pid=42', 'name=42', 'force=true', 'ports=22,443'])).toEqual({
      pid: 42,
      name: '42',
      force: true,
      ports: [22, 443],
    });
    expect(parseParams(undefined, ['pid=42'])).toEqual({ pid: '42' });
    expect(() => parseParams(KILL, ['pid=forty'])).toThrow(/--param pid must be a number/);
    expect(() => parseParams(KILL, ['force=yes'])).toThrow(/true or false/);
    expect(() => parseParams(KILL, ['pid'])).toThrow(/key=value/);
    expect(() => parseParams(KILL, ['pid=1', 'pid=2'])).toThrow(/given twice/);
  });

  it('turns --target values into action targets, including failing-check:', () => {
    expect(parseActionTargets(['group:web', 'device:d1'])).toEqual({ groups: ['web'], devices: ['d1'] });
    expect(parseActionTargets(['failing-check:Linux.Ssh.RootLoginDisabled'])).toEqual({
      failing_check: 'Linux.Ssh.RootLoginDisabled',
    });
    expect(parseActionTargets(['all', 'failing-check:Linux.A.B'])).toEqual({
      all: true,
      failing_check: 'Linux.A.B',
    });
    expect(() => parseActionTargets([])).toThrow(/at least one --target/);
    expect(() => parseActionTargets(['failing-check:'])).toThrow(/needs a check name/);
  });

  it('says what to do next about a run waiting for approval', () => {
    const line = runLine({
      id: 'run123456',
      action: 'file.delete',
      dry_run: false,
      status: 'pending_approval',
      counts: { pending: 2 },
    } as unknown as ActionRunT);
    expect(line).toContain('vigil actions approve run123456');
  });

  it('says when a waiting run expires, and that an expired run was never sent', () => {
    const waiting = runLine({
      id: 'run123456',
      action: 'file.delete',
      dry_run: false,
      status: 'pending_approval',
      approval_expires_at: '2026-01-02T03:04:05.000Z',
      counts: { pending: 1 },
    } as unknown as ActionRunT);
    expect(waiting).toContain('until 2026-01-02T03:04:05.000Z, then expires');
    const expired = runLine({
      id: 'run123456',
      action: 'file.delete',
      dry_run: false,
      status: 'expired',
      status_reason: 'no second admin approved it within 1d',
      counts: { cancelled: 1 },
    } as unknown as ActionRunT);
    expect(expired).toContain(
      'expired unapproved and was never sent — no second admin approved it within 1d',
    );
    // `run --wait` stops following an expired run instead of waiting for its timeout.
    expect(FINAL_RUN_STATUSES.has('expired')).toBe(true);
  });

  it('refuses bad arguments before looking for a server', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['actions', 'run', 'Kill It', '--target', 'all'],
        /^error E_VALIDATION: action 'Kill It' is not valid/,
      ],
      [['actions', 'run', 'process.kill'], /^error E_USAGE: give at least one --target/],
      [
        ['actions', 'run', 'process.kill', '--target', 'all', '--offline', 'later'],
        /^error E_USAGE: --offline must be queue or skip/,
      ],
      [
        ['actions', 'run', 'process.kill', '--target', 'all', '--stop-if-failure-rate', '20%'],
        /^error E_VALIDATION: --stop-if-failure-rate must be a fraction/,
      ],
      [
        ['actions', 'run', 'process.kill', '--target', 'all', '--batch-size', '0'],
        /^error E_VALIDATION: --batch-size/,
      ],
      [
        ['actions', 'run', 'process.kill', '--target', 'all', '--pause', 'soon'],
        /^error E_USAGE: --pause must be a duration/,
      ],
      [['actions', 'status', '../etc'], /^error E_VALIDATION: run id/],
      [['actions', 'list', '--status', 'exploded'], /^error E_VALIDATION: --status must be one of/],
    ];
    for (const [argv, pattern] of cases) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).not.toBe(0);
      expect(r.stderr, argv.join(' ')).toMatch(pattern);
    }
  });
});
