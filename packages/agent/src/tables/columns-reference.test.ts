import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadDeclarations } from './declarations.js';

const referencePath = fileURLToPath(
  new URL('../../../../../shared/reference/osquery_linux_tables.json', import.meta.url),
);
const reference: Record<string, string[]> = existsSync(referencePath)
  ? (JSON.parse(readFileSync(referencePath, 'utf8')) as Record<string, string[]>)
  : {};

describe.skipIf(!existsSync(referencePath))('declared columns equal osquery (shared/reference)', () => {
  const declarations = loadDeclarations();

  it.each(declarations.map((d) => [d.name, d] as const))('%s', (name, declaration) => {
    const columns = declaration.columns.map((c) => c.name);
    const expected = reference[name];
    if (expected === undefined) {
      expect(declaration.vigilOwn, `${name} is not an osquery table, so it must say vigil_own: true`).toBe(
        true,
      );
      expect(declaration.vigilOwnReason).toBeTruthy();
    } else {
      expect(declaration.vigilOwn, `${name} is an osquery table`).toBe(false);
      expect(columns).toEqual(expected);
    }
  });
});
