import { describe, expect, it } from 'vitest';
import { collectAll, fixtureRoot } from '../test-context.js';
import { processEnvs } from './process-envs.js';

describe('process_envs', () => {
  it('splits /proc/<pid>/environ into key and value', () => {
    const { rows, warnings } = collectAll(processEnvs, fixtureRoot('process_envs'));
    expect(warnings).toEqual([]);
    expect(rows).toEqual([
      { pid: 100, key: 'PATH', value: '/usr/bin:/bin' },
      { pid: 100, key: 'LD_PRELOAD', value: '/tmp/evil.so' },
      { pid: 100, key: 'EMPTY', value: '' },
      { pid: 100, key: 'EQ', value: 'a=b' },
      { pid: 300, key: 'HOME', value: '/root' },
    ]);
  });

  it('reads the environment this process started with on the real machine', () => {
    const { rows } = collectAll(processEnvs, '/', { equals: { pid: [process.pid] } });
    const path = rows.find((r) => r.key === 'PATH');
    expect(path?.pid).toBe(process.pid);
    expect(String(path?.value)).toContain('/');
  });
});
