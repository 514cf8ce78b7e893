/**
 * agent-validators.ts is generated from the TypeBox schemas and committed (so a clean checkout
 * builds and tests without a generation step); this test fails when it no longer matches them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedOutput } from '../../../../scripts/generated-output.js';

const SCRIPT = 'scripts/gen-agent-validators.ts';
const COMMITTED = new URL('./agent-validators.ts', import.meta.url);

describe('generated agent validators', () => {
  it(`are exactly what ${SCRIPT} generates (run it after changing one of the agent's schemas)`, () => {
    const generated = generatedOutput('gen-agent-validators.ts');
    expect(generated.length).toBeGreaterThan(1000);
    expect(
      readFileSync(COMMITTED, 'utf8') === generated,
      `${SCRIPT} output differs from the committed file`,
    ).toBe(true);
  });
});
