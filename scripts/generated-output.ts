/**
 * What a generator in scripts/ prints with `--print`. The sync tests compare it with the file that
 * is committed, so a schema change without a regenerated file fails the suite.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../', import.meta.url));

/** Run `scripts/<script> --print` from the repository root; throws with its stderr when it fails. */
export function generatedOutput(script: string): string {
  const run = spawnSync(process.execPath, ['--import', 'tsx', `scripts/${script}`, '--print'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`scripts/${script} exited with ${run.status}: ${run.stderr}`);
  return run.stdout;
}
