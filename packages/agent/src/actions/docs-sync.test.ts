/**
 * The catalogue in docs/actions.md is generated from definitions/actions; this test fails when the
 * two drift apart (run `node --import tsx scripts/gen-action-docs.ts` after changing a declaration).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadActions } from './load.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const DOC = join(REPO, 'docs/actions.md');

describe('docs/actions.md', () => {
  it('holds exactly the catalogue scripts/gen-action-docs.ts generates', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(REPO, 'scripts/gen-action-docs.ts'), '--print'],
      {
        cwd: REPO,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const committed = readFileSync(DOC, 'utf8');
    expect(committed).toBe(run.stdout);
    for (const def of loadActions()) expect(committed).toContain(`### ${def.name}\n`);
  });
});
