/** Writes docs/compatibility.md: run with `node --import tsx scripts/gen-compatibility.ts`. */
import { writeFileSync } from 'node:fs';
import {
  compatibilityMarkdown,
  referenceQueries,
  runCompatibility,
} from '../packages/agent/src/compat/compatibility.js';
import { createQueryEngine } from '../packages/agent/src/sql/engine.js';

const engine = createQueryEngine();
const outcomes = runCompatibility(engine, referenceQueries());
engine.close();
writeFileSync(
  new URL('../docs/compatibility.md', import.meta.url),
  compatibilityMarkdown(outcomes, new Date().toISOString().slice(0, 10)),
);
console.log(
  `wrote docs/compatibility.md: ${outcomes.filter((o) => o.status === 'ran').length} ran, ${outcomes.filter((o) => o.status === 'failed').length} failed, ${outcomes.filter((o) => o.status === 'skipped').length} skipped`,
);
