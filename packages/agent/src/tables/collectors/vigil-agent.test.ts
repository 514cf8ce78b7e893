import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectAll } from '../test-context.js';
import { createVigilAgentCollector, vigilAgent } from './vigil-agent.js';

describe('vigil_agent', () => {
  it('reports defaults: no id, package version, local mode, empty outbox, process uptime', () => {
    const { rows } = collectAll(vigilAgent, '/');
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(rows).toEqual([
      { id: '', version: pkg.version, mode: 'local', outbox_depth: 0, uptime: expect.any(Number) },
    ]);
    expect(Math.abs(Number(rows[0]?.uptime) - process.uptime())).toBeLessThanOrEqual(1);
  });

  it('takes its facts from the provider it is given', () => {
    const collector = createVigilAgentCollector(() => ({ id: 'agent-1', mode: 'live', outbox_depth: 7 }));
    const { rows } = collectAll(collector, '/');
    expect(rows[0]).toMatchObject({ id: 'agent-1', mode: 'live', outbox_depth: 7 });
  });
});
