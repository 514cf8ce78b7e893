import { describe, expect, it } from 'vitest';
import { parseDeclaration } from './declarations.js';
import { buildRegistry } from './registry.js';
import type { TableCollector } from './types.js';

const decl = (name: string) =>
  parseDeclaration(
    `${name}.yaml`,
    `name: ${name}\ndescription: d\nplatforms: [linux]\nsource: s\ncolumns:\n  - { name: x, type: TEXT, description: x }\n`,
  );
const collector = (name: string): TableCollector => ({ name, *collect() {} });

describe('registry', () => {
  it('joins declarations with their collectors', () => {
    const registry = buildRegistry([decl('a'), decl('b')], [collector('b'), collector('a')]);
    expect([...registry.keys()]).toEqual(['a', 'b']);
    expect(registry.get('a')?.collector.name).toBe('a');
  });

  it('refuses a declaration without a collector and a collector without a declaration', () => {
    expect(() => buildRegistry([decl('a'), decl('b')], [collector('a'), collector('c')])).toThrow(
      'declared table without a collector: b (b.yaml); collector without a declaration: c',
    );
  });

  it('refuses two collectors for one table', () => {
    expect(() => buildRegistry([decl('a')], [collector('a'), collector('a')])).toThrow(
      'two collectors for table a',
    );
  });

  it('builds from the shipped declarations and collectors (every table has both)', () => {
    const registry = buildRegistry();
    expect(registry.has('processes')).toBe(true);
  });
});
