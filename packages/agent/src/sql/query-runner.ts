import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { isErrorCode, VigilError } from '@vigil/protocol/agent-runtime';
import type { AgentInfoProvider } from '../tables/collectors/vigil-agent.js';
import { DEFAULT_MAX_ROWS, type QueryResult } from './engine.js';
import type { WorkerRequest, WorkerResponse } from './query-worker.js';

/** Limits and inputs of a query runner. */
export interface QueryRunnerOptions {
  root?: string;
  /** Per-query time limit in milliseconds (default 30 s). */
  timeoutMs?: number;
  /** Rows kept per query (default 100 000); the rest are dropped with a warning. */
  maxRows?: number;
  /** V8 heap limit of the query worker in MiB (default 256). */
  memoryMb?: number;
  agentInfo?: AgentInfoProvider;
  /** Expose only these tables (default: all). */
  only?: string[];
  /**
   * Retire the worker after this long without a query (default 60 s). Its V8 isolate and SQLite
   * hold some 45 MB that an idle agent — checks hourly, queries now and then — need not keep; a
   * new worker loads in a fraction of a second when the next query comes.
   */
  idleMs?: number;
}

/** Runs queries off the main thread, one at a time, within time, row and memory limits. */
export interface QueryRunner {
  run(sql: string, options?: { maxRows?: number; timeoutMs?: number }): Promise<QueryResult>;
  setAgentInfoProvider(provider: AgentInfoProvider): void;
  /** Whether a worker is loaded now (false before the first query and after an idle retirement). */
  readonly hasWorker: boolean;
  close(): Promise<void>;
}

interface Job {
  request: Omit<WorkerRequest, 'id' | 'agentInfo'>;
  timeoutMs: number;
  resolve(result: QueryResult): void;
  reject(err: unknown): void;
}

const WORKER_URL = new URL(
  `./query-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`,
  import.meta.url,
);

/**
 * The worker's entry: the built .js file, or (running from sources in tests and dev) a small
 * bootstrap that registers tsx inside the worker first, because `execArgv: ['--import', 'tsx']`
 * does not reach worker threads on Node 20 (tsx issue #354).
 */
function workerEntry(): URL | string {
  if (!WORKER_URL.pathname.endsWith('.ts')) return WORKER_URL;
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  const entry = pkg.exports['./esm/api']?.import.default ?? './dist/esm/api/index.mjs';
  const tsx = new URL(entry, pathToFileURL(manifest)).href;
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
}

/**
 * Starts a query runner. Each query runs in a worker thread so the event loop never waits on
 * it; a query over its time limit gets the worker terminated (and replaced) and fails with
 * E_QUERY_TIMEOUT; a worker that runs out of heap fails the query with E_QUERY_OUT_OF_MEMORY.
 */
export function createQueryRunner(options: QueryRunnerOptions = {}): QueryRunner {
  const root = options.root ?? '/';
  const defaultTimeout = options.timeoutMs ?? 30_000;
  const defaultMaxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const memoryMb = options.memoryMb ?? 256;
  const idleMs = options.idleMs ?? 60_000;
  let idleTimer: NodeJS.Timeout | null = null;
  let agentInfo: AgentInfoProvider = options.agentInfo ?? (() => ({}));
  const queue: Job[] = [];
  let worker: Worker | null = null;
  let active: { job: Job; id: number; timer: NodeJS.Timeout | null } | null = null;
  // The time limit counts from when the worker has loaded, so a cold start is not a slow query.
  let workerReady = false;
  let nextId = 1;
  let closed = false;
  // A terminated worker stuck in native SQLite code (a long CTE) exits only when SQLite
  // returns to JavaScript; close() waits for those too.
  const abandoned = new Set<Promise<unknown>>();

  const finish = (outcome: { result?: QueryResult; error?: unknown }) => {
    if (active === null) return;
    if (active.timer !== null) clearTimeout(active.timer);
    const { job } = active;
    active = null;
    if (outcome.error !== undefined) job.reject(outcome.error);
    else job.resolve(outcome.result as QueryResult);
    pump();
  };

  const discardWorker = () => {
    const w = worker;
    worker = null;
    if (w !== null) {
      w.removeAllListeners();
      w.on('error', () => {});
      const gone = w.terminate().catch(() => undefined);
      abandoned.add(gone);
      void gone.then(() => abandoned.delete(gone));
    }
  };

  const startWorker = (): Worker => {
    workerReady = false;
    const w = new Worker(workerEntry(), {
      eval: WORKER_URL.pathname.endsWith('.ts'),
      workerData: { root, only: options.only },
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
    });
    w.on('message', (response: WorkerResponse | { ready: true }) => {
      if ('ready' in response) {
        workerReady = true;
        if (active !== null && active.timer === null) active.timer = startTimer(active.job);
        return;
      }
      if (active === null || response.id !== active.id) return;
      if (response.ok) finish({ result: response.result });
      else {
        const code = isErrorCode(response.code) ? response.code : 'E_INTERNAL';
        finish({ error: new VigilError(code, response.message) });
      }
    });
    w.on('error', (err: Error & { code?: string }) => {
      discardWorker();
      finish({
        error:
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new VigilError(
                'E_QUERY_OUT_OF_MEMORY',
                `the query needed more than the ${memoryMb} MiB memory limit`,
              )
            : new VigilError('E_INTERNAL', 'the query worker failed', { cause: err }),
      });
    });
    w.on('exit', () => {
      if (worker === w) {
        worker = null;
        finish({ error: new VigilError('E_INTERNAL', 'the query worker exited unexpectedly') });
      }
    });
    return w;
  };

  function startTimer(job: Job): NodeJS.Timeout {
    return setTimeout(() => {
      discardWorker();
      finish({
        error: new VigilError(
          'E_QUERY_TIMEOUT',
          `the query ran longer than ${job.timeoutMs / 1000} s and was stopped`,
        ),
      });
    }, job.timeoutMs);
  }

  function pump(): void {
    if (active !== null || closed) return;
    const job = queue.shift();
    if (idleTimer !== null) clearTimeout(idleTimer);
    idleTimer = null;
    if (job === undefined) {
      if (worker !== null) {
        idleTimer = setTimeout(discardWorker, idleMs);
        idleTimer.unref();
      }
      return;
    }
    worker ??= startWorker();
    const id = nextId++;
    active = { job, id, timer: workerReady ? startTimer(job) : null };
    let info: WorkerRequest['agentInfo'] = {};
    try {
      info = agentInfo();
    } catch {
      info = {};
    }
    worker.postMessage({ ...job.request, id, agentInfo: info } satisfies WorkerRequest);
  }

  return {
    run(sql, runOptions = {}) {
      if (closed) return Promise.reject(new VigilError('E_NOT_READY', 'the query runner is closed'));
      return new Promise<QueryResult>((resolve, reject) => {
        queue.push({
          request: { sql, maxRows: runOptions.maxRows ?? defaultMaxRows },
          timeoutMs: runOptions.timeoutMs ?? defaultTimeout,
          resolve,
          reject,
        });
        pump();
      });
    },
    setAgentInfoProvider(provider) {
      agentInfo = provider;
    },
    get hasWorker() {
      return worker !== null;
    },
    async close() {
      closed = true;
      if (idleTimer !== null) clearTimeout(idleTimer);
      for (const job of queue.splice(0))
        job.reject(new VigilError('E_NOT_READY', 'the query runner is closed'));
      if (active !== null) finish({ error: new VigilError('E_NOT_READY', 'the query runner is closed') });
      const w = worker;
      worker = null;
      if (w !== null) {
        w.removeAllListeners();
        await w.terminate();
      }
      await Promise.all([...abandoned]);
    },
  };
}
