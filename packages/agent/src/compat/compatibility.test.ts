/** Runs osquery's packs and Fleet's library on this machine and prints how many ran, failed and were skipped. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createQueryEngine } from '../sql/engine.js';
import { REFERENCE_DIR, referencedTables, referenceQueries, runCompatibility } from './compatibility.js';

describe('compatibility with osquery packs and Fleet queries', () => {
  it('finds the tables a query reads, without CTE names', () => {
    expect(
      referencedTables(
        'WITH x AS (SELECT 1) SELECT * FROM processes p JOIN x ON 1 LEFT JOIN users u USING (uid)',
      ),
    ).toEqual(['processes', 'users']);
  });

  it.skipIf(!existsSync(REFERENCE_DIR))(
    'runs every reference query whose tables Vigil implements, unchanged',
    () => {
      const engine = createQueryEngine();
      try {
        const outcomes = runCompatibility(engine, referenceQueries());
        const ran = outcomes.filter((o) => o.status === 'ran').length;
        const failed = outcomes.filter((o) => o.status === 'failed');
        const skipped = outcomes.filter((o) => o.status === 'skipped').length;
        console.log(
          `compatibility: ${outcomes.length} queries, ${ran} ran, ${failed.length} failed, ${skipped} skipped`,
        );
        for (const f of failed) console.log(`  failed ${f.source} ${f.name}: ${f.detail}`);
        expect(outcomes.length).toBeGreaterThan(100);
        expect(ran).toBeGreaterThan(20);
        expect(failed.map((f) => `${f.name}: ${f.detail}`)).toEqual([]);
      } finally {
        engine.close();
      }
    },
  );
});
