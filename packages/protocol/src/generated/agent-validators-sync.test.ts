/**
 * agent-validators.ts is generated from the TypeBox schemas and committed (so a clean checkout
 * builds and tests without a generation step); this test fails when it no longer matches them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const SCRIPT = 'scripts/gen-agent-validators.ts';
const COMMITTED = new URL('./agent-validators.ts', import.meta.url);

describe('generated agent validators', () => {
  it(`are exactly what ${SCRIPT} generates (run it after changing one of the agent's schemas)`, () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, '--print'], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.length).toBeGreaterThan(1000);
    expect(
      readFileSync(COMMITTED, 'utf8') === run.stdout,
      `${SCRIPT} output differs from the committed file`,
    ).toBe(true);
  });
});
