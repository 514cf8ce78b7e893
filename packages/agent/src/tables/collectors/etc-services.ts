import { readText } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { fields, toInt } from './parse-helpers.js';

/** etc_services: /etc/services entries ("name port/protocol aliases # comment"). */
export const etcServices: TableCollector = {
  name: 'etc_services',
  *collect(ctx) {
    const text = readText(ctx, '/etc/services');
    if (text === null) {
      ctx.warn('/etc/services is not present');
      return;
    }
    for (const raw of text.split('\n')) {
      const hash = raw.indexOf('#');
      const body = hash === -1 ? raw : raw.slice(0, hash);
      const [name, portProto, ...aliases] = fields(body);
      const slash = portProto?.indexOf('/') ?? -1;
      if (name === undefined || portProto === undefined || slash <= 0) continue;
      yield {
        name,
        port: toInt(portProto.slice(0, slash)),
        protocol: portProto.slice(slash + 1),
        aliases: aliases.join(' '),
        comment: hash === -1 ? '' : raw.slice(hash + 1).trim(),
      };
    }
  },
};
