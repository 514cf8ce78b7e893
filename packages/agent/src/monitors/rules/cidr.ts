/**
 * Address lists of rules (`in_cidr`): addresses and CIDR blocks, IPv4 and IPv6, compiled once per
 * list into node:net's BlockList so an event is one lookup, not a parse per entry.
 */
import { BlockList, isIP } from 'node:net';

/** One parsed entry: the network address, its prefix length and family. */
export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** `203.0.113.9` or `198.51.100.0/24` or `2001:db8::/32`, parsed; null when it is neither. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const v = isIP(address);
  if (v === 0) return null;
  const max = v === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return null;
    prefix = Number(p);
  }
  return { address, prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
}

/** An address as the block list compares it: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as IPv4. */
function normalised(ip: string): { address: string; family: 'ipv4' | 'ipv6' } | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped ? (mapped[1] as string) : ip;
  const v = isIP(address);
  return v === 0 ? null : { address, family: v === 4 ? 'ipv4' : 'ipv6' };
}

const compiled = new WeakMap<readonly string[], BlockList>();

/** The BlockList of a rule's list (entries that do not parse are left out: the server refuses them). */
function blockListOf(list: readonly string[]): BlockList {
  let bl = compiled.get(list);
  if (bl) return bl;
  bl = new BlockList();
  for (const entry of list) {
    const c = parseCidr(entry);
    if (c) bl.addSubnet(c.address, c.prefix, c.family);
  }
  compiled.set(list, bl);
  return bl;
}

/** Whether `ip` is inside one of the list's addresses or networks. */
export function inCidrList(ip: string, list: readonly string[]): boolean {
  if (list.length === 0) return false;
  const n = normalised(ip);
  return n !== null && blockListOf(list).check(n.address, n.family);
}
