import type { TableCollector } from '../types.js';
import { readGroups, signed32 } from './passwd.js';

/** groups: local groups from /etc/group. */
export const groups: TableCollector = {
  name: 'groups',
  *collect(ctx) {
    for (const g of readGroups(ctx)) {
      yield { gid: g.gid, gid_signed: signed32(g.gid), groupname: g.groupname, group_sid: '', comment: '' };
    }
  },
};
