/**
 * definitions/actions/action.schema.json is generated from the TypeBox ActionDefinition; this test
 * fails when the two drift apart, and validates every shipped action file against the committed
 * JSON Schema (what an editor or an external CI step sees).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileValidator } from '@vigil/protocol';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { generatedOutput } from '../../../../scripts/generated-output.js';
import { DEFAULT_ACTIONS_DIR } from './load.js';

const COMMITTED = join(DEFAULT_ACTIONS_DIR, 'action.schema.json');

describe('action JSON Schema', () => {
  it('is exactly what scripts/gen-action-schema.ts generates (run it after changing ActionDefinition)', () => {
    const generated = generatedOutput('gen-action-schema.ts');
    expect(generated.length).toBeGreaterThan(100);
    expect(readFileSync(COMMITTED, 'utf8')).toBe(generated);
  });

  it('accepts every shipped action file and rejects broken ones', () => {
    const validator = compileValidator(
      JSON.parse(readFileSync(COMMITTED, 'utf8')) as Parameters<typeof compileValidator>[0],
    );
    const files = readdirSync(DEFAULT_ACTIONS_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(DEFAULT_ACTIONS_DIR, f));
    expect(files.length).toBeGreaterThan(20);
    const rejected = files.filter((f) => !validator.check(YAML.parse(readFileSync(f, 'utf8'))));
    expect(rejected).toEqual([]);
    const sample = YAML.parse(readFileSync(files[0] as string, 'utf8')) as Record<string, unknown>;
    expect(validator.check({ ...sample, risk: 'medium' })).toBe(false);
    expect(validator.check({ ...sample, unknown_field: true })).toBe(false);
    const { params: _params, ...withoutParams } = sample;
    expect(validator.check(withoutParams)).toBe(false);
  });
});
