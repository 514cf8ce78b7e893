/**
 * IP addresses and networks as the network actions accept them: validated with `net.isIP`,
 * written in one canonical form (IPv6 compressed lower-case, IPv4-mapped IPv6 as plain IPv4,
 * a network as its network address and prefix), and checked against what an action must never
 * cut off (loopback, unspecified, the Vigil server). A canonical form holds only hex digits,
 * dots, colons and a slash, so it is safe inside an nft ruleset.
 */
import { BlockList, isIP } from 'node:net';

export interface IpAddress {
  address: string;
  family: 4 | 6;
}

/** An address or a network: `prefix` is 32/128 for a single address. */
export interface IpNetwork extends IpAddress {
  prefix: number;
  /** How nft writes it: `10.0.0.0/24`, or the bare address for a single one. */
  key: string;
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

function bitsOf(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

function toBigInt(ip: IpAddress): bigint {
  if (ip.family === 4) return ip.address.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
  const [head = '', tail = ''] = ip.address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = ip.address.includes('::')
    ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]
    : headGroups;
  return groups.reduce((n, group) => (n << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

function fromBigInt(value: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((value >> shift) & 0xffffn).toString(16));
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}

/** An address or a CIDR network (`10.0.0.0/24`, `fd00::/64`), normalised to its network address. */
export function parseNetwork(value: unknown): IpNetwork | undefined {
  if (typeof value !== 'string') return;
  const parts = value.split('/');
  if (parts.length > 2) return;
  const ip = parseIp(parts[0]);
  if (!ip) return;
  const bits = bitsOf(ip.family);
  let prefix = bits;
  if (parts.length === 2) {
    const text = parts[1] as string;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(text)) return;
    prefix = Number(text);
    // A prefix on an IPv4-mapped IPv6 address would mean something else once written as IPv4.
    if (prefix > bits || (ip.family === 4 && isIP(parts[0] as string) === 6)) return;
  }
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  const address = fromBigInt(toBigInt(ip) & mask, ip.family);
  return { address, family: ip.family, prefix, key: prefix === bits ? address : `${address}/${prefix}` };
}

function listOf(network: IpNetwork): BlockList {
  const list = new BlockList();
  list.addSubnet(network.address, network.prefix, network.family === 4 ? 'ipv4' : 'ipv6');
  return list;
}

/** Whether a network contains an address. */
export function networkContains(network: IpNetwork, ip: IpAddress): boolean {
  return network.family === ip.family && listOf(network).check(ip.address, ip.family === 4 ? 'ipv4' : 'ipv6');
}

/** Whether two networks share any address (CIDR networks overlap only when one holds the other). */
export function networksOverlap(a: IpNetwork, b: IpNetwork): boolean {
  return a.family === b.family && (networkContains(a, b) || networkContains(b, a));
}

const PROTECTED = ['127.0.0.0/8', '0.0.0.0', '::1', '::'].map((n) => parseNetwork(n) as IpNetwork);

/** Whether a network touches loopback or the unspecified address (blocking it would break the host). */
export function touchesLoopbackOrUnspecified(network: IpNetwork): boolean {
  return PROTECTED.some((p) => networksOverlap(p, network));
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

/** The server addresses a network contains (compared in canonical form). */
export function serverAddressesIn(network: IpNetwork, serverAddresses: readonly string[]): string[] {
  const { v4, v6 } = splitServerAddresses(serverAddresses);
  return (network.family === 4 ? v4 : v6).filter((address) =>
    networkContains(network, { address, family: network.family }),
  );
}

/** Networks with every one that lies inside another dropped (nft interval sets refuse overlaps). */
export function withoutNested(networks: IpNetwork[]): IpNetwork[] {
  const kept: IpNetwork[] = [];
  for (const network of [...networks].sort((a, b) => a.prefix - b.prefix)) {
    if (!kept.some((k) => networksOverlap(k, network))) kept.push(network);
  }
  return kept;
}
