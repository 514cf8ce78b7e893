import { cpSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createQueryEngine } from '../../sql/engine.js';
import { loadDeclarations } from '../declarations.js';
import { systemCollectors } from './index-system.js';
import { fixturePath } from './test-collect.js';

const names = systemCollectors.map((c) => c.name);

/** Copy only what is not there yet: tables share some files (systemd_units and startup_items use the same units). */
function notCopied(_src: string, dest: string): boolean {
  try {
    return lstatSync(dest).isDirectory();
  } catch {
    return true;
  }
}

/** Every system fixture tree copied into one root, so each table has something to read through the engine. */
function combinedFixtureRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'vigil-system-fixtures-'));
  for (const table of names) {
    for (const entry of readdirSync(fixturePath(table), { withFileTypes: true })) {
      // Variant sub-trees (current/, legacy/, absent/ …) hold their own roots; the top-level ones are roots already.
      const variant =
        entry.isDirectory() &&
        !['etc', 'proc', 'sys', 'run', 'usr', 'var', 'dev', 'home', 'opt', 'data'].includes(entry.name);
      const source = join(fixturePath(table), entry.name);
      if (variant) cpSync(source, root, { recursive: true, verbatimSymlinks: true, filter: notCopied });
      else if (entry.isDirectory())
        cpSync(source, join(root, entry.name), {
          recursive: true,
          verbatimSymlinks: true,
          filter: notCopied,
        });
    }
  }
  return root;
}

describe('system tables through the SQL engine', () => {
  it('declares every system table exactly once, and registers a collector for each', () => {
    const declared = new Set(loadDeclarations().map((d) => d.name));
    for (const name of names) expect(declared.has(name)).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  });

  const hostEngine = createQueryEngine({ root: '/', only: names });
  it.each(names)('SELECT from %s on this machine', (table) => {
    const result = hostEngine.run(`SELECT count(*) AS n FROM ${table}`);
    expect(Number(result.rows[0]?.n)).toBeGreaterThanOrEqual(0);
    expect(result.warnings.every((w) => !w.includes('collector failed'))).toBe(true);
  });

  it('answers a join across system tables on this machine', () => {
    const result = hostEngine.run(
      "SELECT m.path, m.type FROM mounts m JOIN (SELECT 1) WHERE m.path = '/' AND m.blocks > 0",
    );
    expect(result.rows).toHaveLength(1);
  });

  const root = combinedFixtureRoot();
  const fixtureEngine = createQueryEngine({ root, only: names, now: () => new Date('2024-01-15T08:05:09Z') });
  afterAll(() => {
    hostEngine.close();
    fixtureEngine.close();
    rmSync(root, { recursive: true, force: true });
  });

  it.each(names)('SELECT * from %s on the combined fixture root', (table) => {
    const result = fixtureEngine.run(`SELECT * FROM ${table}`);
    expect(result.warnings.every((w) => !w.includes('collector failed'))).toBe(true);
    expect(result.columns).toEqual(fixtureEngine.schema(table)?.columns.map((c) => c.name));
  });

  it('returns fixture values with declared SQL types', () => {
    const deb = fixtureEngine.run(
      "SELECT name, size, typeof(size) AS t FROM deb_packages WHERE name = 'bash'",
    );
    expect(deb.rows).toEqual([{ name: 'bash', size: 7164, t: 'integer' }]);
    const time = fixtureEngine.run('SELECT unix_time, local_timezone FROM time');
    expect(time.rows).toEqual([{ unix_time: 1705305909, local_timezone: 'CET' }]);
    const routes = fixtureEngine.run(
      "SELECT gateway FROM routes WHERE destination = '0.0.0.0' AND netmask = 0",
    );
    expect(routes.rows).toEqual([{ gateway: '192.168.0.1' }]);
  });
});
