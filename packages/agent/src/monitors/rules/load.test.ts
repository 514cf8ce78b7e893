import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_DIR, loadRules, parseRule } from './load.js';
import { renderRule } from './render.js';

const bruteForce = `
name: Linux.Auth.SshBruteForce
title: SSH brute force from one source
description: Many failed SSH logins from one address in a short time.
severity: high
platforms: [linux]
attack: [T1110.001]
monitor: auth
parameters:
  - { name: max_failures, type: integer, default: 5, minimum: 2, maximum: 100, description: failures }
  - { name: users, type: string_list, default: [root, admin], description: users }
match:
  all:
    - { field: type, equals: ssh_failed }
    - { field: user, in: "{{users}}" }
threshold: { count: "{{max_failures}}", window_s: 60, by: [source_ip] }
coalesce: { key: [source_ip], window_s: 3600 }
`;

describe('detection rule files', () => {
  it('every shipped rule validates, renders with its defaults and is named after its file', () => {
    const rules = loadRules();
    expect(rules.length).toBeGreaterThanOrEqual(20);
    const names = rules.map((r) => r.name);
    expect(names).toContain('Linux.Auth.SshBruteForce');
    expect(names).toContain('Linux.Files.AccountDatabaseChanged');
    expect(new Set(rules.map((r) => r.monitor))).toEqual(
      new Set(['files', 'auth', 'processes', 'network', 'persistence']),
    );
    for (const r of rules) expect(renderRule(r).name).toBe(r.name);
  });

  it('docs/monitoring.md lists every shipped rule with its monitor and severity', () => {
    const doc = readFileSync(join(DEFAULT_RULES_DIR, '../../docs/monitoring.md'), 'utf8');
    const missing = loadRules().filter(
      (r) => !doc.includes(`| \`${r.name}\` | ${r.monitor} | ${r.severity} | ${r.attack.join(' ')} |`),
    );
    expect(missing.map((r) => r.name)).toEqual([]);
  });

  it('renders parameter references as typed values, with overrides over defaults', () => {
    const rule = parseRule('auth/SshBruteForce.yaml', bruteForce);
    const rendered = renderRule(rule);
    expect(rendered.threshold).toEqual({ count: 5, window_s: 60, by: ['source_ip'] });
    expect(rendered.match.all?.[1]).toEqual({ field: 'user', in: ['root', 'admin'] });
    const tuned = renderRule(rule, { max_failures: 20, users: ['bob'] });
    expect(tuned.threshold?.count).toBe(20);
    expect(tuned.match.all?.[1]?.in).toEqual(['bob']);
    expect(() => renderRule(rule, { max_failures: 1 })).toThrow(/within 2\.\.100/);
    expect(() => renderRule(rule, { nope: 1 })).toThrow(/no parameter nope/);
  });

  it('refuses unknown fields, undeclared placeholders, wrong types, wrong file names and empty matches', () => {
    const file = 'auth/SshBruteForce.yaml';
    expect(() => parseRule(file, `${bruteForce}\nsurprise: 1\n`)).toThrow(/unknown field/);
    expect(() => parseRule(file, bruteForce.replace('"{{users}}"', '"{{people}}"'))).toThrow(
      /uses \{\{people\}\} but declares no such parameter/,
    );
    // A list parameter where a number is expected fails at render, naming the file.
    expect(() =>
      parseRule(file, bruteForce.replace('count: "{{max_failures}}"', 'count: "{{users}}"')),
    ).toThrow(/auth\/SshBruteForce\.yaml: does not render with its defaults/);
    expect(() => parseRule('auth/Other.yaml', bruteForce)).toThrow(
      /must be named after the rule: auth\/SshBruteForce\.yaml/,
    );
    expect(() => parseRule('files/SshBruteForce.yaml', bruteForce)).toThrow(/named after the rule/);
    expect(() => parseRule(file, bruteForce.replace('monitor: auth', 'monitor: keyboard'))).toThrow(
      /monitor/,
    );
    const empty = bruteForce.replace(/match:\n(.*\n){3}/, 'match: {}\n');
    expect(() => parseRule(file, empty)).toThrow(/at least one condition/);
  });

  it('loads a rules directory of its own, ignoring files that are not YAML', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
    mkdirSync(join(dir, 'auth'));
    writeFileSync(join(dir, 'auth', 'SshBruteForce.yaml'), bruteForce);
    writeFileSync(join(dir, 'rule.schema.json'), '{}');
    expect(loadRules(dir).map((r) => r.name)).toEqual(['Linux.Auth.SshBruteForce']);
    mkdirSync(join(dir, 'misplaced'));
    writeFileSync(join(dir, 'misplaced', 'SshBruteForce.yaml'), bruteForce);
    expect(() => loadRules(dir)).toThrow(
      /misplaced\/SshBruteForce\.yaml: the file must be named after the rule/,
    );
  });
});
