import { parentPort, workerData } from 'node:worker_threads';
import { VigilError } from '@vigil/protocol/agent-runtime';
import type { AgentInfo } from '../tables/collectors/vigil-agent.js';
import { createQueryEngine } from './engine.js';

/** What the runner sends for each query. */
export interface WorkerRequest {
  id: number;
  sql: string;
  maxRows: number;
  agentInfo: Partial<AgentInfo>;
}

/** What the worker answers: a result or an error with a stable code. */
export type WorkerResponse =
  | { id: number; ok: true; result: import('./engine.js').QueryResult }
  | { id: number; ok: false; code: string; message: string };

const { root, only } = workerData as { root: string; only?: string[] };
const engine = createQueryEngine(only === undefined ? { root } : { root, only });
let agentInfo: Partial<AgentInfo> = {};
engine.setAgentInfoProvider(() => agentInfo);

parentPort?.on('message', (request: WorkerRequest) => {
  agentInfo = request.agentInfo;
  let response: WorkerResponse;
  try {
    response = { id: request.id, ok: true, result: engine.run(request.sql, { maxRows: request.maxRows }) };
  } catch (err) {
    const known = err instanceof VigilError;
    response = {
      id: request.id,
      ok: false,
      code: known ? err.code : 'E_INTERNAL',
      message: known ? err.message : `query failed: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  parentPort?.postMessage(response);
});
parentPort?.postMessage({ ready: true });
