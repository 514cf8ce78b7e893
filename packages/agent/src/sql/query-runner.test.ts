import { VigilError } from '@vigil/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { coreCollectors } from '../tables/collectors/index-core.js';
import { createQueryRunner } from './query-runner.js';

const only = coreCollectors.map((c) => c.name);
const COUNT_50M =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000000) SELECT count(*) AS n FROM c';

async function rejection(p: Promise<unknown>): Promise<VigilError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof VigilError) return err;
    throw err;
  }
  throw new Error('expected the query to fail');
}

describe('query runner (worker thread)', () => {
  const runner = createQueryRunner({ only, agentInfo: () => ({ id: 'agent-under-test', mode: 'live' }) });
  afterAll(() => runner.close());

  it('runs a query on the live tables in a worker', async () => {
    const result = await runner.run('SELECT username, uid FROM users WHERE uid = 0');
    expect(result.rows).toEqual([{ username: 'root', uid: 0 }]);
    expect(result.columns).toEqual(['username', 'uid']);
  });

  it('passes the agent facts to vigil_agent', async () => {
    const result = await runner.run('SELECT id, mode FROM vigil_agent');
    expect(result.rows).toEqual([{ id: 'agent-under-test', mode: 'live' }]);
  });

  it('keeps error codes across the thread boundary and stays usable', async () => {
    expect((await rejection(runner.run('DELETE FROM users'))).code).toBe('E_QUERY_NOT_READ_ONLY');
    expect((await rejection(runner.run('SELECT * FROM file'))).message).toBe(
      'file requires a path or directory constraint',
    );
    expect((await runner.run('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });

  it('truncates to the row limit with a warning', async () => {
    const result = await runner.run(
      'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 500) SELECT x FROM c',
      { maxRows: 100 },
    );
    expect(result.rows).toHaveLength(100);
    expect(result.rows[99]).toEqual({ x: 100 });
    expect(result.truncated).toBe(true);
    expect(result.warnings).toEqual(['the result was truncated to the row limit of 100 rows']);
  });
});

describe('query runner limits', () => {
  it('keeps the event loop free during a long query, stops it at the time limit, and recovers', async () => {
    const runner = createQueryRunner({ only, timeoutMs: 1500 });
    try {
      await runner.run('SELECT 1');
      let ticks = 0;
      const timer = setInterval(() => {
        ticks += 1;
      }, 50);
      const started = Date.now();
      const err = await rejection(runner.run(COUNT_50M));
      clearInterval(timer);
      const elapsed = Date.now() - started;
      expect(err.code).toBe('E_QUERY_TIMEOUT');
      expect(err.status).toBe(504);
      expect(elapsed).toBeGreaterThanOrEqual(1400);
      expect(elapsed).toBeLessThan(5000);
      // A blocked loop would give no ticks at all; a free one about elapsed / 50.
      expect(ticks).toBeGreaterThanOrEqual(Math.floor(elapsed / 50) - 10);
      expect((await runner.run('SELECT 41 + 1 AS answer')).rows).toEqual([{ answer: 42 }]);
    } finally {
      await runner.close();
    }
  }, 60_000);

  it('fails a query that exhausts the worker heap with E_QUERY_OUT_OF_MEMORY and recovers', async () => {
    const runner = createQueryRunner({ only, memoryMb: 32, maxRows: 50_000_000 });
    try {
      const err = await rejection(
        runner.run(
          "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000) SELECT x, printf('%0500d', x) AS pad FROM c",
        ),
      );
      expect(err.code).toBe('E_QUERY_OUT_OF_MEMORY');
      expect((await runner.run('SELECT 7 AS seven')).rows).toEqual([{ seven: 7 }]);
    } finally {
      await runner.close();
    }
  }, 60_000);

  it('retires its worker after the idle time, keeps it while queries come, and loads a new one for the next query', async () => {
    const runner = createQueryRunner({ only, idleMs: 300 });
    try {
      expect(runner.hasWorker).toBe(false);
      await runner.run('SELECT 1');
      // Queries closer together than the idle time keep the same worker.
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 150));
        expect(runner.hasWorker).toBe(true);
        await runner.run('SELECT 1');
      }
      await new Promise((r) => setTimeout(r, 600));
      expect(runner.hasWorker).toBe(false);
      const again = await runner.run('SELECT username FROM users WHERE uid = 0');
      expect(again.rows).toEqual([{ username: 'root' }]);
      expect(runner.hasWorker).toBe(true);
    } finally {
      await runner.close();
    }
  }, 30_000);

  it('refuses queries after close', async () => {
    const runner = createQueryRunner({ only });
    await runner.close();
    expect((await rejection(runner.run('SELECT 1'))).code).toBe('E_NOT_READY');
  });
});
