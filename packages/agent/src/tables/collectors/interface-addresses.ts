import { networkInterfaces } from 'node:os';
import { readText } from '../fs-helpers.js';
import type { Row, TableCollector, TableContext } from '../types.js';
import { IFF_BROADCAST, IFF_POINTOPOINT, interfaceFlags, listInterfaces } from './net-sysfs.js';
import { fields, hexToInt, hexToIpv6, ipv6PrefixToMask } from './parse-helpers.js';

/** One IPv4 address bound to an interface. */
export interface Ipv4Address {
  interface: string;
  address: string;
  netmask: string;
}

/** Where IPv4 addresses come from: the kernel has no file for them, so the source is injectable. */
export type Ipv4Source = (ctx: TableContext) => Ipv4Address[];

/** The live host's IPv4 addresses via getifaddrs(3) (os.networkInterfaces); a fixture root has none. */
export const liveIpv4Source: Ipv4Source = (ctx) => {
  if (ctx.root !== '/') {
    ctx.warn('IPv4 addresses have no file interface: they are only read on the live host (root "/")');
    return [];
  }
  const out: Ipv4Address[] = [];
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4') out.push({ interface: name, address: a.address, netmask: a.netmask });
    }
  }
  return out;
};

function broadcastOf(address: string, netmask: string): string {
  const a = address.split('.').map(Number);
  const m = netmask.split('.').map(Number);
  return a.map((octet, i) => (octet | (~(m[i] ?? 0) & 0xff)) & 0xff).join('.');
}

/** IPv6 addresses per interface from /proc/net/if_inet6 (link-local ones carry their %scope like getifaddrs). */
function ipv6Addresses(ctx: TableContext): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  // address ifindex prefixlen scope flags name
  for (const line of (readText(ctx, '/proc/net/if_inet6') ?? '').split('\n')) {
    const f = fields(line);
    if (f.length < 6) continue;
    const iface = f[5] as string;
    const scope = hexToInt(f[3]) ?? 0;
    const address = hexToIpv6(f[0] ?? '') + (scope === 0x20 ? `%${iface}` : '');
    const rows = out.get(iface) ?? [];
    rows.push({
      interface: iface,
      address,
      mask: ipv6PrefixToMask(hexToInt(f[2]) ?? 0),
      broadcast: null,
      point_to_point: null,
    });
    out.set(iface, rows);
  }
  return out;
}

/** Builds the interface_addresses collector around an IPv4 source (tests inject fixture addresses). */
export function createInterfaceAddresses(ipv4: Ipv4Source = liveIpv4Source): TableCollector {
  return {
    name: 'interface_addresses',
    *collect(ctx) {
      const v4 = ipv4(ctx);
      const v6 = ipv6Addresses(ctx);
      const names = [...new Set([...listInterfaces(ctx), ...v4.map((a) => a.interface), ...v6.keys()])];
      for (const iface of names) {
        const flags = interfaceFlags(ctx, iface);
        for (const a of v4.filter((x) => x.interface === iface)) {
          yield {
            interface: iface,
            address: a.address,
            mask: a.netmask,
            broadcast: flags & IFF_BROADCAST ? broadcastOf(a.address, a.netmask) : null,
            // The peer address is only known to getifaddrs, which Node does not expose.
            point_to_point: flags & IFF_POINTOPOINT ? '' : null,
          };
        }
        yield* v6.get(iface) ?? [];
      }
    },
  };
}

/** interface_addresses: IPv4 addresses of the live host and IPv6 addresses from procfs, per interface. */
export const interfaceAddresses: TableCollector = createInterfaceAddresses();
