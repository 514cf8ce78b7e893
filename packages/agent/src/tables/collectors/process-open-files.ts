import { listDir, readLink } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { pidsToRead } from './proc-common.js';

/** process_open_files: every descriptor of every process that points at a path (sockets, pipes and anon inodes are left out, as osquery does). */
export const processOpenFiles: TableCollector = {
  name: 'process_open_files',
  *collect(ctx) {
    for (const pid of pidsToRead(ctx)) {
      for (const fd of listDir(ctx, `/proc/${pid}/fd`)) {
        const target = readLink(ctx, `/proc/${pid}/fd/${fd}`);
        if (target?.startsWith('/')) yield { pid, fd: Number(fd), path: target };
      }
    }
  },
};
