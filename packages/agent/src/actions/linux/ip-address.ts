/**
 * IP addresses as the network actions accept them: validated with `net.isIP`, written in one
 * canonical form (IPv6 compressed lower-case, IPv4-mapped IPv6 as plain IPv4), and checked
 * against the addresses an action must never cut off (loopback, unspecified, the Vigil server).
 * A canonical address holds only hex digits, dots and colons, so it is safe in an nft ruleset.
 */
import { BlockList, isIP } from 'node:net';

export interface IpAddress {
  address: string;
  family: 4 | 6;
}

const MAPPED_V4 = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/** The canonical form of an IP address string, or undefined when it is not exactly one address. */
export function parseIp(value: unknown): IpAddress | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 45 || value.includes('%')) return;
  const family = isIP(value);
  if (family === 4) return { address: value, family: 4 };
  if (family !== 6) return;
  const canonical = new URL(`http://[${value}]`).hostname.slice(1, -1);
  const mapped = MAPPED_V4.exec(canonical);
  if (mapped) {
    const high = Number.parseInt(mapped[1] as string, 16);
    const low = Number.parseInt(mapped[2] as string, 16);
    return { address: [high >> 8, high & 255, low >> 8, low & 255].join('.'), family: 4 };
  }
  return { address: canonical, family: 6 };
}

const NEVER_BLOCK = new BlockList();
NEVER_BLOCK.addSubnet('127.0.0.0', 8, 'ipv4');
NEVER_BLOCK.addAddress('0.0.0.0', 'ipv4');
NEVER_BLOCK.addAddress('::1', 'ipv6');
NEVER_BLOCK.addAddress('::', 'ipv6');

/** Whether an address is loopback or unspecified (blocking it would break the host itself). */
export function isLoopbackOrUnspecified(ip: IpAddress): boolean {
  return NEVER_BLOCK.check(ip.address, ip.family === 4 ? 'ipv4' : 'ipv6');
}

/** The server addresses that parse, split by family, and the ones that did not. */
export function splitServerAddresses(addresses: readonly string[]): {
  v4: string[];
  v6: string[];
  invalid: string[];
} {
  const v4 = new Set<string>();
  const v6 = new Set<string>();
  const invalid: string[] = [];
  for (const raw of addresses) {
    const ip = parseIp(raw);
    if (!ip) invalid.push(raw);
    else (ip.family === 4 ? v4 : v6).add(ip.address);
  }
  return { v4: [...v4], v6: [...v6], invalid };
}

/** Whether an address is one of the Vigil server's addresses (compared in canonical form). */
export function isServerAddress(ip: IpAddress, serverAddresses: readonly string[]): boolean {
  const { v4, v6 } = splitServerAddresses(serverAddresses);
  return (ip.family === 4 ? v4 : v6).includes(ip.address);
}
