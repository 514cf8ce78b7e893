import { describe, expect, it } from 'vitest';
import { appliesTo } from './applies.js';
import { loadChecks, parseCheck } from './load.js';
import { effectiveParams, renderSql } from './render.js';

const minimal = `
name: Linux.Ssh.RootLoginDisabled
title: SSH root login is disabled
description: Direct root logins bypass accountability and invite brute force.
severity: high
category: ssh
platforms: [linux]
parameters:
  - { name: max_days, type: integer, default: 7, description: days, minimum: 1 }
  - { name: names, type: string_list, default: [a, "b'c"], description: names }
query: SELECT 1 WHERE {{max_days}} > 0 AND 'x' NOT IN {{names}}
remediation: { text: Set PermitRootLogin no in sshd_config. }
references: { cis: ["5.2.10"] }
`;

describe('check files', () => {
  it('every shipped check validates against the schema and names its file after itself', () => {
    expect(() => loadChecks()).not.toThrow();
  });

  it('parses a minimal check and renders parameters as typed SQL literals', () => {
    const check = parseCheck('Linux/Ssh/RootLoginDisabled.yaml', minimal);
    const params = effectiveParams(check, { max_days: 3 });
    expect(renderSql(check, check.query, params)).toBe("SELECT 1 WHERE 3 > 0 AND 'x' NOT IN ('a', 'b''c')");
  });

  it('refuses unknown fields, undeclared placeholders, wrong file names and bad parameter values', () => {
    expect(() => parseCheck('Linux/Ssh/RootLoginDisabled.yaml', `${minimal}\nsurprise: 1\n`)).toThrow(
      /unknown field/,
    );
    expect(() =>
      parseCheck('Linux/Ssh/RootLoginDisabled.yaml', minimal.replace('{{max_days}} > 0', '{{nope}} > 0')),
    ).toThrow(/declares no such parameter/);
    expect(() => parseCheck('Linux/Ssh/Other.yaml', minimal)).toThrow(/must be named after the check/);
    const check = parseCheck('Linux/Ssh/RootLoginDisabled.yaml', minimal);
    expect(() => effectiveParams(check, { max_days: 0 })).toThrow(/within/);
    expect(() => effectiveParams(check, { max_days: '1; DROP' })).toThrow(/whole number/);
    expect(() => effectiveParams(check, { other: 1 })).toThrow(/no parameter other/);
  });

  it('evaluates applies_when over a fingerprint', () => {
    const fp = { os: { family: 'debian' }, services: ['sshd', 'nginx'] };
    expect(appliesTo({ all: [{ fact: 'services', contains: 'sshd' }] }, fp)).toBe(true);
    expect(appliesTo({ all: [{ fact: 'services', contains: 'docker' }] }, fp)).toBe(false);
    expect(appliesTo({ all: [{ fact: 'os.family', in: ['rhel'] }] }, fp)).toBe(false);
    expect(
      appliesTo(
        {
          any: [
            { fact: 'os.family', equals: 'rhel' },
            { fact: 'services', not_contains: 'docker' },
          ],
        },
        fp,
      ),
    ).toBe(true);
    expect(appliesTo(undefined, fp)).toBe(true);
  });
});
