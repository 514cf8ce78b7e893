/** Diagnostic and control commands: agent.ping, agent.sleep (busy work off the main thread), mode.set. */
import { Worker } from 'node:worker_threads';
import { validators } from '@vigil/protocol/agent-runtime';
import type { Dispatcher } from '../dispatch.js';

/** Burn CPU for `ms` in a worker thread: the main loop (heartbeats) must not notice. */
export function busyWork(ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new Worker(
      'const { workerData, parentPort } = require("node:worker_threads"); const end = Date.now() + workerData; let n = 0; while (Date.now() < end) n++; parentPort.postMessage(n);',
      { eval: true, workerData: ms },
    );
    w.once('message', (n: number) => resolve(n));
    w.once('error', reject);
  });
}

/** Register agent.ping, agent.sleep and mode.set. */
export function registerBasicHandlers(
  d: Dispatcher,
  setMode: (mode: 'live' | 'poll', pollS?: number) => void,
): void {
  d.register('agent.ping', {
    validator: validators.PingBody,
    run: (body) => ({ echo: (body as { echo?: string }).echo ?? null, at: Date.now() }),
  });
  d.register('agent.sleep', {
    validator: validators.SleepBody,
    run: async (body) => ({ iterations: await busyWork((body as { ms: number }).ms) }),
  });
  d.register('mode.set', {
    validator: validators.ModeSetBody,
    run: (body) => {
      const b = body as { mode: 'live' | 'poll'; poll_s?: number };
      // Report first, switch after: the result must leave over the channel it was asked on.
      setTimeout(() => setMode(b.mode, b.poll_s), 200);
      return { mode: b.mode };
    },
  });
}
