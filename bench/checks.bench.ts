/**
 * The whole Linux rule set on this machine, as the agent runs it: the fingerprint picks the
 * applicable checks (as the server does), parameters are rendered, and every check (and its
 * evidence query when it fails) runs through the worker-thread query runner one after another.
 * Method: `rounds` full runs after one warm-up; wall time per run, and process CPU time (user +
 * system, all threads) per run from process.cpuUsage(). Goal: < 5 s wall and < 3 s CPU.
 */
import { appliesTo } from '../packages/agent/src/checks/applies.js';
import { computeFingerprint } from '../packages/agent/src/checks/fingerprint.js';
import { loadChecks } from '../packages/agent/src/checks/load.js';
import { effectiveParams, renderSql } from '../packages/agent/src/checks/render.js';
import { createQueryEngine } from '../packages/agent/src/sql/engine.js';
import { createQueryRunner } from '../packages/agent/src/sql/query-runner.js';
import { median } from './stats.js';

/** Run the benchmark. */
export async function main(args: string[]): Promise<void> {
  const rounds = Number(args[0] ?? 3);
  const engine = createQueryEngine();
  const fingerprint = computeFingerprint(engine) as unknown as Record<string, unknown>;
  engine.close();
  const checks = loadChecks().filter(
    (c) => c.platforms.includes('linux') && c.verified !== false && appliesTo(c.applies_when, fingerprint),
  );
  const rendered = checks.map((c) => {
    const p = effectiveParams(c);
    return {
      name: c.name,
      query: renderSql(c, c.query, p),
      evidence: c.evidence ? renderSql(c, c.evidence, p) : undefined,
      passWhen: c.pass_when ?? 'rows',
    };
  });
  const runner = createQueryRunner();
  const runAll = async () => {
    let failing = 0;
    let errors = 0;
    const slow: Array<[string, number]> = [];
    for (const c of rendered) {
      const t = performance.now();
      try {
        const r = await runner.run(c.query, { timeoutMs: 30_000, maxRows: 10_000 });
        const pass = c.passWhen === 'rows' ? r.rows.length > 0 : r.rows.length === 0;
        if (!pass) {
          failing += 1;
          if (c.evidence) await runner.run(c.evidence, { timeoutMs: 30_000, maxRows: 50 });
        }
      } catch {
        errors += 1;
      }
      slow.push([c.name, performance.now() - t]);
    }
    return { failing, errors, slow: slow.sort((a, b) => b[1] - a[1]).slice(0, 5) };
  };
  await runAll();
  const walls: number[] = [];
  const cpus: number[] = [];
  let last: Awaited<ReturnType<typeof runAll>> | undefined;
  for (let i = 0; i < rounds; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    last = await runAll();
    walls.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    cpus.push((cpu.user + cpu.system) / 1000);
  }
  await runner.close();
  console.log(
    `method: ${rounds} full runs after 1 warm-up, checks run one after another in the query worker; CPU = process user+system (all threads)`,
  );
  console.log(
    `fingerprint: ${JSON.stringify({ family: (fingerprint.os as { family?: string })?.family, services: fingerprint.services, container: fingerprint.container })}`,
  );
  console.log(
    `applicable checks: ${rendered.length} of ${checks.length} loaded for this host; failing ${last?.failing}, errors ${last?.errors}`,
  );
  console.log(
    `wall: median ${(median(walls) / 1000).toFixed(2)} s (goal < 5 s); CPU: median ${(median(cpus) / 1000).toFixed(2)} s (goal < 3 s)`,
  );
  console.log(
    `slowest checks (last run): ${last?.slow.map(([n, ms]) => `${n} ${ms.toFixed(0)} ms`).join(', ')}`,
  );
}
