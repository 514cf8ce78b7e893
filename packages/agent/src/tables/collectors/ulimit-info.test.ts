import { describe, expect, it } from 'vitest';
import { collectAt, collectFixture } from './test-collect.js';
import { ulimitInfo } from './ulimit-info.js';

describe('ulimit_info', () => {
  it('maps /proc/self/limits labels to resource names', () => {
    const { rows } = collectFixture(ulimitInfo, 'ulimit_info');
    expect(rows).toEqual([
      { type: 'cpu', soft_limit: 'unlimited', hard_limit: 'unlimited' },
      { type: 'nofile', soft_limit: '1024', hard_limit: '524288' },
      { type: 'nproc', soft_limit: '63304', hard_limit: '63304' },
      { type: 'rttime', soft_limit: 'unlimited', hard_limit: 'unlimited' },
    ]);
  });

  it('reads the agent process limits on this machine, soft never above hard', () => {
    const { rows } = collectAt(ulimitInfo, '/');
    const nofile = rows.find((r) => r.type === 'nofile');
    expect(nofile).toBeDefined();
    const soft = Number(nofile?.soft_limit);
    const hard = nofile?.hard_limit === 'unlimited' ? Number.POSITIVE_INFINITY : Number(nofile?.hard_limit);
    expect(soft).toBeGreaterThan(0);
    expect(soft).toBeLessThanOrEqual(hard);
  });
});
