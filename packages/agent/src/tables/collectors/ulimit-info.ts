import { readText } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';

/** The names getrlimit(2) resources go by (osquery's `type` values), keyed by /proc/<pid>/limits labels. */
const RESOURCES: Record<string, string> = {
  'Max cpu time': 'cpu',
  'Max file size': 'fsize',
  'Max data size': 'data',
  'Max stack size': 'stack',
  'Max core file size': 'core',
  'Max resident set': 'rss',
  'Max processes': 'nproc',
  'Max open files': 'nofile',
  'Max locked memory': 'memlock',
  'Max address space': 'as',
  'Max file locks': 'locks',
  'Max pending signals': 'sigpending',
  'Max msgqueue size': 'msgqueue',
  'Max nice priority': 'nice',
  'Max realtime priority': 'rtprio',
  'Max realtime timeout': 'rttime',
};

/** ulimit_info: the agent's own resource limits (what a process it starts inherits), from /proc/self/limits. */
export const ulimitInfo: TableCollector = {
  name: 'ulimit_info',
  *collect(ctx) {
    const text = readText(ctx, '/proc/self/limits');
    if (text === null) {
      ctx.warn('/proc/self/limits is not present');
      return;
    }
    for (const line of text.split('\n').slice(1)) {
      // Labels contain single spaces; columns are separated by two or more.
      const parts = line.trim().split(/\s{2,}/);
      const type = RESOURCES[parts[0] ?? ''];
      if (type === undefined || parts.length < 3) continue;
      yield { type, soft_limit: parts[1] ?? null, hard_limit: parts[2] ?? null };
    }
  },
};
