import type { TableCollector } from '../types.js';
import { pidsToRead } from './proc-common.js';
import { heldSockets, type NetSocket } from './proc-net.js';

function isListening(s: NetSocket): boolean {
  return s.protocol === 6 ? s.state === 'LISTEN' : s.localPort !== 0 && s.remotePort === 0;
}

/**
 * listening_ports: TCP sockets in LISTEN and bound, unconnected UDP sockets. A socket no visible
 * process holds (another namespace, the kernel, an unreadable /proc/<pid>/fd) is still listed,
 * with pid and fd -1, unless the query names pids.
 */
export const listeningPorts: TableCollector = {
  name: 'listening_ports',
  *collect(ctx) {
    const filtered = ctx.hints.equals.has('pid');
    for (const { socket: s, netns, owners } of heldSockets(ctx, pidsToRead(ctx), {
      withUnix: false,
      tcpListenersOnly: true,
    })) {
      if (!isListening(s) || (owners.length === 0 && filtered)) continue;
      const base = {
        port: s.localPort,
        protocol: s.protocol,
        family: s.family,
        address: s.localAddress,
        socket: s.inode,
        path: '',
        net_namespace: netns,
      };
      if (owners.length === 0) yield { pid: -1, fd: -1, ...base };
      for (const o of owners) yield { pid: o.pid, fd: o.fd, ...base };
    }
  },
};
