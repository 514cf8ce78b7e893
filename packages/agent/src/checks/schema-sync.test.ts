/**
 * definitions/checks/check.schema.json is generated from the TypeBox CheckDefinition; this test
 * fails when the two drift apart, and validates every shipped check file against the committed
 * JSON Schema (what an editor or an external CI step sees), not only against the TypeBox original.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compileValidator } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { generatedOutput } from '../../../../scripts/generated-output.js';
import { DEFAULT_CHECKS_DIR } from './load.js';

const COMMITTED = join(DEFAULT_CHECKS_DIR, 'check.schema.json');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return name.endsWith('.yaml') ? [path] : [];
  });
}

describe('check JSON Schema', () => {
  it('is exactly what scripts/gen-check-schema.ts generates (run it after changing CheckDefinition)', () => {
    const generated = generatedOutput('gen-check-schema.ts');
    expect(generated.length).toBeGreaterThan(100);
    expect(readFileSync(COMMITTED, 'utf8')).toBe(generated);
  });

  it('accepts every shipped check file and rejects broken ones', () => {
    const validator = compileValidator(
      JSON.parse(readFileSync(COMMITTED, 'utf8')) as Parameters<typeof compileValidator>[0],
    );
    const files = yamlFiles(DEFAULT_CHECKS_DIR);
    expect(files.length).toBeGreaterThan(0);
    const rejected = files.filter((f) => !validator.check(YAML.parse(readFileSync(f, 'utf8'))));
    expect(rejected).toEqual([]);
    const sample = YAML.parse(readFileSync(files[0] as string, 'utf8')) as Record<string, unknown>;
    expect(validator.check({ ...sample, severity: 'urgent' })).toBe(false);
    expect(validator.check({ ...sample, unknown_field: true })).toBe(false);
    const { query: _query, ...withoutQuery } = sample;
    expect(validator.check(withoutQuery)).toBe(false);
  });
});
