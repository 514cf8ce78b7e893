import { readText } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { fields, hexToInt } from './parse-helpers.js';

const ATF_COM = 0x2;
const ATF_PERM = 0x4;

/** arp_cache: resolved IPv4 neighbours from /proc/net/arp (incomplete entries have no MAC and are left out). */
export const arpCache: TableCollector = {
  name: 'arp_cache',
  *collect(ctx) {
    const text = readText(ctx, '/proc/net/arp');
    if (text === null) {
      ctx.warn('/proc/net/arp is not present');
      return;
    }
    // IP address, HW type, Flags, HW address, Mask, Device
    for (const line of text.split('\n').slice(1)) {
      const f = fields(line);
      if (f.length < 6) continue;
      const flags = hexToInt(f[2]) ?? 0;
      if ((flags & (ATF_COM | ATF_PERM)) === 0) continue;
      yield {
        address: f[0] ?? null,
        mac: f[3] ?? null,
        interface: f[5] ?? null,
        permanent: flags & ATF_PERM ? '1' : '0',
      };
    }
  },
};
