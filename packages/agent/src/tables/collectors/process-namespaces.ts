import { existsIn, readLink } from '../fs-helpers.js';
import type { Row, TableCollector } from '../types.js';
import { namespaceInode, pidsToRead } from './proc-common.js';

const KINDS = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'user', 'uts'];

/** process_namespaces: the namespace inodes of /proc/<pid>/ns/* for each process. */
export const processNamespaces: TableCollector = {
  name: 'process_namespaces',
  *collect(ctx) {
    for (const pid of pidsToRead(ctx)) {
      if (!existsIn(ctx, `/proc/${pid}/ns`)) continue;
      const row: Row = { pid };
      for (const kind of KINDS)
        row[`${kind}_namespace`] = namespaceInode(readLink(ctx, `/proc/${pid}/ns/${kind}`));
      yield row;
    }
  },
};
