import type { TableCollector } from '../types.js';
import { readPasswd, signed32 } from './passwd.js';

/** users: local accounts from /etc/passwd. */
export const users: TableCollector = {
  name: 'users',
  *collect(ctx) {
    for (const u of readPasswd(ctx)) {
      yield {
        uid: u.uid,
        gid: u.gid,
        uid_signed: signed32(u.uid),
        gid_signed: signed32(u.gid),
        username: u.username,
        description: u.description,
        directory: u.directory,
        shell: u.shell,
        uuid: '',
        type: '',
      };
    }
  },
};
