/**
 * Every Linux check runs against two fixture trees: `fixtures/<CheckName>/pass` must pass and
 * `fixtures/<CheckName>/fail` must fail. A check without both fixtures fails this suite.
 * An optional `params.json` in a fixture directory overrides parameters for that run.
 * Git keeps neither file modes nor owners, so a fixture that depends on them lists them in
 * `modes.json` (`{ "etc/shadow": { "mode": "0640", "uid": 0, "gid": 42 } }`); the harness copies
 * such a fixture to a temporary directory and applies them there (owners need root).
 */

type Modes = Record<string, { mode?: string; uid?: number; gid?: number }>;

/** The fixture root to run on: the directory itself, or a temporary copy with modes applied. */
function prepare(root: string): { dir: string; cleanup(): void; needsRoot: boolean } {
  const modesFile = join(root, 'modes.json');
  if (!existsSync(modesFile)) return { dir: root, cleanup: () => {}, needsRoot: false };
  const modes = JSON.parse(readFileSync(modesFile, 'utf8')) as Modes;
  const needsRoot = Object.values(modes).some((m) => m.uid !== undefined || m.gid !== undefined);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-fixture-'));
  cpSync(root, dir, { recursive: true });
  const isRoot = process.getuid?.() === 0;
  for (const [path, m] of Object.entries(modes)) {
    const target = join(dir, path);
    if (isRoot && (m.uid !== undefined || m.gid !== undefined)) chownSync(target, m.uid ?? 0, m.gid ?? 0);
    if (m.mode) chmodSync(target, Number.parseInt(m.mode, 8));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }), needsRoot };
}

import { chmodSync, chownSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createQueryEngine } from '../sql/engine.js';
import { loadChecks } from './load.js';
import { runCheck } from './run.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const checks = loadChecks().filter((c) => c.platforms.includes('linux') && c.verified !== false);

describe.each(checks.map((c) => [c.name, c] as const))('%s', (name, check) => {
  for (const expected of ['pass', 'fail'] as const) {
    it(`${expected}es on its ${expected} fixture`, (ctx) => {
      const fixture = join(FIXTURES, name, expected);
      expect(existsSync(fixture), `missing fixture ${fixture}`).toBe(true);
      const paramsFile = join(fixture, 'params.json');
      const params = existsSync(paramsFile)
        ? (JSON.parse(readFileSync(paramsFile, 'utf8')) as Record<string, unknown>)
        : {};
      const { dir: root, cleanup, needsRoot } = prepare(fixture);
      if (needsRoot && process.getuid?.() !== 0) {
        cleanup();
        ctx.skip('this fixture sets file owners, which needs root');
      }
      const engine = createQueryEngine({ root });
      try {
        const outcome = runCheck(engine, check, params);
        expect(outcome.error, `query error: ${outcome.error}`).toBeUndefined();
        expect(outcome.status).toBe(expected);
        if (expected === 'fail' && check.evidence) expect(outcome.evidence.columns.length).toBeGreaterThan(0);
      } finally {
        engine.close();
        cleanup();
      }
    });
  }
});

describe('check library', () => {
  it('has at least 120 Linux checks', () => {
    expect(checks.length).toBeGreaterThanOrEqual(120);
  });
});
