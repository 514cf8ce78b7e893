// Reads Vitest's JSON report and prints the plain closing line CI reads: "N passed, N failed".
// Build or lint failures (counted by .ci/run) are added to the failed count so they cannot hide.
import { existsSync, readFileSync } from 'node:fs';

const [file, extraFailed = '0'] = process.argv.slice(2);
let passed = 0;
let failed = Number(extraFailed) || 0;
let skipped = 0;
if (file && existsSync(file)) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  for (const suite of report.testResults ?? []) {
    if (suite.status === 'failed' && (suite.assertionResults ?? []).length === 0) failed += 1;
  }
} else {
  failed += 1;
  console.log(`no test report at ${file}`);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
