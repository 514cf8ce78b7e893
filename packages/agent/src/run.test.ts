/**
 * `vigil agent run` must not load TypeBox: it and the protocol's schema objects cost a running
 * agent about 20 MB for its whole life (docs/adr/0006-agent-validators-generated-at-build-time.md).
 * A child process imports what the agent loads at start and on the idle path — the run entry, the
 * CLI's agent command tree, the poller and the query worker — while a resolve hook records every
 * module; none may come from the typebox package. Actions and automated responses load TypeBox
 * on demand (their parameter schemas are data) and are not imported here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const src = (path: string) => pathToFileURL(join(REPO, 'packages', path)).href;

/** What `vigil agent run` imports at start and while idle (the query worker starts with the first query). */
const RUN_PATH = [
  '@vigil/agent/run',
  src('cli/src/agent-program.ts'),
  src('agent/src/daemon/poll.ts'),
  src('agent/src/sql/query-worker.ts'),
];

const RECORDER = `
import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(out, resolved.url + '\\n');
  return resolved;
}
`;

/** Every module URL a fresh node process resolves while importing `specifiers` from the sources. */
function modulesLoadedBy(specifiers: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-run-modules-'));
  const out = join(dir, 'modules.txt');
  writeFileSync(out, '');
  writeFileSync(join(dir, 'recorder.mjs'), RECORDER);
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister('./recorder.mjs', import.meta.url, { data: { out: ${JSON.stringify(out)} } });\n`,
  );
  // The query worker reads its workerData when evaluated: importing it outside a worker throws
  // after its imports were resolved, which is all this needs.
  const script = specifiers.map((s) => `await import(${JSON.stringify(s)}).catch(() => {});`).join('\n');
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      pathToFileURL(join(REPO, 'packages/cli/bin/register-sources.js')).href,
      '--import',
      pathToFileURL(join(dir, 'register.mjs')).href,
      '--input-type=module',
      '-e',
      script,
    ],
    { cwd: REPO, encoding: 'utf8', timeout: 60_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  return readFileSync(out, 'utf8').split('\n').filter(Boolean);
}

describe('vigil agent run', () => {
  it('loads no module of the typebox package', { timeout: 90_000 }, () => {
    const modules = modulesLoadedBy(RUN_PATH);
    // The recorder saw the agent's own modules, so an empty answer cannot pass.
    expect(modules.some((m) => m.endsWith('/agent/src/daemon/start-agent.ts'))).toBe(true);
    expect(modules.some((m) => m.endsWith('/agent/src/daemon/live.ts'))).toBe(true);
    expect(modules.filter((m) => m.includes('/node_modules/typebox/'))).toEqual([]);
    // The protocol's index holds every schema object; the agent takes its values from agent-runtime.
    expect(modules.filter((m) => m.endsWith('/protocol/src/index.ts'))).toEqual([]);
  });

  it('would notice TypeBox (the recorder sees what the full protocol loads)', { timeout: 90_000 }, () => {
    const modules = modulesLoadedBy(['@vigil/protocol']);
    expect(modules.some((m) => m.includes('/node_modules/typebox/'))).toBe(true);
  });
});
