import { describe, expect, it } from 'vitest';
import type { ParamsSchema } from '../actions/schema-params.js';
import {
  conditionOf,
  conditionText,
  emptyResponseDraft,
  paramValue,
  responseBody,
  responseParams,
  stepText,
} from './response-body.js';

const blockIp: ParamsSchema = {
  properties: {
    address: { type: 'string' },
    expires_s: { type: 'integer' },
    both_directions: { type: 'boolean' },
    ports: { type: 'array', items: { type: 'integer' } },
  },
  required: ['address'],
};

describe('automated response bodies', () => {
  it('keeps {{field}} references as text whatever the parameter type, and types literal values', () => {
    expect(paramValue({ type: 'integer' }, '{{pid}}')).toBe('{{pid}}');
    expect(paramValue({ type: 'integer' }, ' 3600 ')).toBe(3600);
    expect(paramValue({ type: 'boolean' }, 'true')).toBe(true);
    expect(paramValue({ type: 'array' }, 'a, b,,')).toEqual(['a', 'b']);
    expect(paramValue({ type: 'string' }, 'host {{hostname}}')).toBe('host {{hostname}}');
  });

  it('leaves out empty parameters and ones the action does not declare', () => {
    expect(
      responseParams(blockIp, {
        address: '{{source_ip}}',
        expires_s: '3600',
        both_directions: '',
        other: 'x',
      }),
    ).toEqual({ address: '{{source_ip}}', expires_s: 3600 });
  });

  it('builds the optional condition: none without a field, typed numbers and booleans, contains as text', () => {
    expect(conditionOf({ condField: ' ', condOp: 'equals', condValue: 'x' })).toEqual([]);
    expect(conditionOf({ condField: 'user', condOp: 'not_equals', condValue: 'root' })).toEqual([
      { field: 'user', not_equals: 'root' },
    ]);
    expect(conditionOf({ condField: 'uid', condOp: 'equals', condValue: '0' })).toEqual([
      { field: 'uid', equals: 0 },
    ]);
    expect(conditionOf({ condField: 'cmdline', condOp: 'contains', condValue: ' -e ' })).toEqual([
      { field: 'cmdline', contains: ' -e ' },
    ]);
  });

  it('makes the rule: one action, dry run and cap as chosen, scope group only when one is picked', () => {
    const body = responseBody(
      {
        ...emptyResponseDraft(),
        name: ' block-brute ',
        rule: 'Linux.Auth.SshBruteForce',
        action: 'network.block_ip',
        params: { address: '{{source_ip}}', expires_s: '3600' },
        dryRun: false,
        maxPerHour: '20',
      },
      blockIp,
    );
    expect(body).toEqual({
      name: 'block-brute',
      rule: 'Linux.Auth.SshBruteForce',
      when: [],
      actions: [{ action: 'network.block_ip', params: { address: '{{source_ip}}', expires_s: 3600 } }],
      dry_run: false,
      max_per_hour: 20,
    });
    expect(responseBody({ ...emptyResponseDraft(), group: 'lab' }, blockIp).group).toBe('lab');
  });

  it('shows steps and conditions as one line of text', () => {
    expect(
      stepText({ action: 'network.block_ip', params: { address: '{{source_ip}}', expires_s: 3600 } }),
    ).toBe('network.block_ip address={{source_ip}} expires_s=3600');
    expect(conditionText({ field: 'user', not_equals: 'root' })).toBe('user != root');
    expect(conditionText({ field: 'uid', in: ['0', '1'] })).toBe('uid in 0, 1');
  });
});
