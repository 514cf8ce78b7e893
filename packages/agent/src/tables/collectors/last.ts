import type { TableCollector } from '../types.js';
import { readUtmpFile, UT } from './utmp.js';

/** last: logins and logouts from /var/log/wtmp (USER_PROCESS and DEAD_PROCESS records, as osquery). */
export const last: TableCollector = {
  name: 'last',
  *collect(ctx) {
    for (const r of readUtmpFile(ctx, ['/var/log/wtmp'])) {
      if (r.type !== UT.USER_PROCESS && r.type !== UT.DEAD_PROCESS) continue;
      yield {
        username: r.user,
        tty: r.line,
        pid: r.pid,
        type: r.type,
        type_name: r.type === UT.USER_PROCESS ? 'user-process' : 'dead-process',
        time: r.time,
        host: r.host,
      };
    }
  },
};
