import type { TableCollector } from '../types.js';
import { readGroups, readPasswd } from './passwd.js';

/** user_groups: each user's primary group (/etc/passwd) and supplementary groups (/etc/group members). */
export const userGroups: TableCollector = {
  name: 'user_groups',
  *collect(ctx) {
    const all = readGroups(ctx);
    for (const u of readPasswd(ctx)) {
      const gids = new Set([u.gid]);
      for (const g of all) if (g.members.includes(u.username)) gids.add(g.gid);
      for (const gid of gids) yield { uid: u.uid, gid };
    }
  },
};
