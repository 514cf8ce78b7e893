import type { TableCollector } from '../types.js';
import { readUtmpFile, UT } from './utmp.js';

const TYPE_NAMES = [
  'empty',
  'runlevel',
  'boot_time',
  'new_time',
  'old_time',
  'init',
  'login',
  'user',
  'dead',
  'accounting',
];

/** logged_in_users: the live sessions in /var/run/utmp (binary glibc records). */
export const loggedInUsers: TableCollector = {
  name: 'logged_in_users',
  *collect(ctx) {
    for (const r of readUtmpFile(ctx, ['/var/run/utmp', '/run/utmp'])) {
      if (r.type === UT.EMPTY || r.pid === 1) continue;
      yield {
        type: TYPE_NAMES[r.type] ?? String(r.type),
        user: r.user,
        tty: r.line,
        host: r.host,
        time: r.time,
        pid: r.pid,
        sid: '',
        registry_hive: '',
      };
    }
  },
};
