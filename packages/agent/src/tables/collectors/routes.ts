import { readText } from '../fs-helpers.js';
import type { TableCollector, TableContext } from '../types.js';
import { fields, hexToInt, hexToIpv4, hexToIpv6, ipv4MaskToPrefix } from './parse-helpers.js';

const RTF_REJECT = 0x200;
const RTF_ANYCAST = 0x100000;
const RTF_LOCAL = 0x80000000;

/** osquery's route type names: every unicast route is a "gateway" route in its vocabulary. */
function routeType(flags: number): string {
  if ((flags & RTF_LOCAL) !== 0) return 'local';
  if ((flags & RTF_ANYCAST) !== 0) return 'anycast';
  if ((flags & RTF_REJECT) !== 0) return 'other';
  return 'gateway';
}

function* ipv4Routes(ctx: TableContext) {
  const text = readText(ctx, '/proc/net/route');
  if (text === null) {
    ctx.warn('/proc/net/route is not present');
    return;
  }
  // Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT
  for (const line of text.split('\n').slice(1)) {
    const f = fields(line);
    if (f.length < 11) continue;
    const flags = hexToInt(f[3]) ?? 0;
    yield {
      destination: hexToIpv4(f[1] ?? '0'),
      netmask: ipv4MaskToPrefix(hexToIpv4(f[7] ?? '0')),
      gateway: hexToIpv4(f[2] ?? '0'),
      source: null,
      flags,
      interface: f[0] ?? null,
      mtu: Number(f[8] ?? 0),
      metric: Number(f[6] ?? 0),
      type: routeType(flags),
    };
  }
}

function* ipv6Routes(ctx: TableContext) {
  const text = readText(ctx, '/proc/net/ipv6_route');
  if (text === null) return; // IPv6 disabled: nothing to report.
  // dest destlen src srclen nexthop metric refcnt use flags iface (all hex but the name)
  for (const line of text.split('\n')) {
    const f = fields(line);
    if (f.length < 10) continue;
    const flags = hexToInt(f[8]) ?? 0;
    const srcLen = hexToInt(f[3]) ?? 0;
    yield {
      destination: hexToIpv6(f[0] ?? ''),
      netmask: hexToInt(f[1]) ?? 0,
      gateway: hexToIpv6(f[4] ?? ''),
      source: srcLen === 0 ? null : `${hexToIpv6(f[2] ?? '')}/${srcLen}`,
      flags,
      interface: f[9] ?? null,
      mtu: 0,
      metric: hexToInt(f[5]) ?? 0,
      type: routeType(flags),
    };
  }
}

/** routes: the IPv4 main routing table and the IPv6 routing tables as procfs shows them. */
export const routes: TableCollector = {
  name: 'routes',
  *collect(ctx) {
    yield* ipv4Routes(ctx);
    yield* ipv6Routes(ctx);
  },
};
