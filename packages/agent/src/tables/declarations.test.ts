import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDeclarations, parseDeclaration } from './declarations.js';

const GOOD = `name: demo
description: A demo table.
platforms: [linux]
source: /proc/demo
columns:
  - { name: id, type: BIGINT, description: The id, index: true }
  - { name: path, type: TEXT, description: A path, required: true, hidden: true }
examples:
  - SELECT id FROM demo WHERE path = '/x';
`;

describe('table declarations', () => {
  it('parses a declaration with its column flags', () => {
    const d = parseDeclaration('demo.yaml', GOOD);
    expect(d).toMatchObject({ name: 'demo', platforms: ['linux'], vigilOwn: false, vigilOwnReason: null });
    expect(d.columns).toEqual([
      { name: 'id', type: 'BIGINT', description: 'The id', required: false, index: true, hidden: false },
      { name: 'path', type: 'TEXT', description: 'A path', required: true, index: false, hidden: true },
    ]);
  });

  it.each([
    [GOOD.replace('type: BIGINT', 'type: BOOLEAN'), /demo\.yaml: column id type "BOOLEAN"/],
    [GOOD.replace('name: demo', 'name: Demo'), /must be snake_case/],
    [GOOD.replace('description: A demo table.\n', ''), /description must be a non-empty string/],
    [GOOD.replace('columns:', 'colums:'), /unknown key "colums"/],
    [GOOD.replace('{ name: path,', '{ name: id,'), /column "id" is declared twice/],
    [`${GOOD}vigil_own: true\n`, /vigil_own: true needs a vigil_own_reason/],
    ['name: [unclosed', /YAML does not parse/],
  ])('fails loudly naming the file (%#)', (yaml, message) => {
    expect(() => parseDeclaration('demo.yaml', yaml)).toThrow(message);
  });

  it('loads a folder and refuses a file whose name does not match its table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-decl-'));
    try {
      writeFileSync(join(dir, 'demo.yaml'), GOOD);
      expect(loadDeclarations(dir).map((d) => d.name)).toEqual(['demo']);
      writeFileSync(join(dir, 'other.yaml'), GOOD);
      expect(() => loadDeclarations(dir)).toThrow(
        /other\.yaml: name "demo" must match the file name "other"/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loads every shipped declaration under definitions/tables', () => {
    const names = loadDeclarations().map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining(['processes', 'file', 'hash', 'vigil_agent']));
  });
});
