import { existsIn } from '../fs-helpers.js';
import type { Row, TableCollector } from '../types.js';

const SOCKET = '/var/run/docker.sock';

/**
 * docker_containers: not collected yet. The Engine API is HTTP over a unix socket, and Node's HTTP
 * client is asynchronous while collectors must be synchronous; the table reports why it is empty.
 */
export const dockerContainers: TableCollector = {
  name: 'docker_containers',
  collect(ctx): Row[] {
    if (!existsIn(ctx, SOCKET)) {
      ctx.warn(`docker socket not present (${SOCKET})`);
      return [];
    }
    ctx.warn(`docker socket present at ${SOCKET}, but the Engine API is not supported synchronously yet`);
    return [];
  },
};
