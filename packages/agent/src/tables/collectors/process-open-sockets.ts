import type { TableCollector } from '../types.js';
import { pidsToRead } from './proc-common.js';
import { heldSockets } from './proc-net.js';

/** process_open_sockets: every socket a process holds, matched by inode against its namespace's /proc/net tables. */
export const processOpenSockets: TableCollector = {
  name: 'process_open_sockets',
  *collect(ctx) {
    for (const { socket: s, netns, owners } of heldSockets(ctx, pidsToRead(ctx), { withUnix: true })) {
      for (const owner of owners) {
        yield {
          pid: owner.pid,
          fd: owner.fd,
          socket: s.inode,
          family: s.family,
          protocol: s.protocol,
          local_address: s.localAddress,
          remote_address: s.remoteAddress,
          local_port: s.localPort,
          remote_port: s.remotePort,
          path: s.path,
          state: s.state,
          net_namespace: netns,
        };
      }
    }
  },
};
