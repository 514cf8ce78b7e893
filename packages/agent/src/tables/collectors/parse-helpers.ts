import { readText } from '../fs-helpers.js';
import type { TableContext } from '../types.js';

/** Parses a decimal integer string; null when it is not one (so a garbled field becomes NULL, not NaN). */
export function toInt(value: string | undefined | null): number | null {
  if (value === undefined || value === null) return null;
  const trimmed = value.trim();
  if (!/^-?\d+$/.test(trimmed)) return null;
  const n = Number(trimmed);
  return Number.isSafeInteger(n) ? n : null;
}

/** Parses a decimal number (integer or fraction); null when it is not one. */
export function toFloat(value: string | undefined | null): number | null {
  if (value === undefined || value === null) return null;
  const trimmed = value.trim();
  if (!/^-?\d+(\.\d+)?$/.test(trimmed)) return null;
  return Number(trimmed);
}

/** Parses a hexadecimal string with or without `0x`; null when it is not one. */
export function hexToInt(value: string | undefined | null): number | null {
  if (value === undefined || value === null) return null;
  const trimmed = value.trim().replace(/^0x/i, '');
  if (!/^[0-9a-f]+$/i.test(trimmed)) return null;
  const n = Number.parseInt(trimmed, 16);
  return Number.isSafeInteger(n) ? n : null;
}

/** Reads a small sysfs/procfs attribute trimmed of its trailing newline; null when absent. */
export function readTrimmed(ctx: TableContext, absPath: string): string | null {
  const text = readText(ctx, absPath);
  return text === null ? null : text.trim();
}

/** Splits a file into its lines with `#` comments removed and blank lines dropped. */
export function contentLines(text: string, comment = '#'): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const at = raw.indexOf(comment);
    const line = (at === -1 ? raw : raw.slice(0, at)).trim();
    if (line !== '') out.push(line);
  }
  return out;
}

/** Splits a line on runs of spaces and tabs. */
export function fields(line: string): string[] {
  const trimmed = line.trim();
  return trimmed === '' ? [] : trimmed.split(/\s+/);
}

/** Removes one level of matching single or double quotes, undoing shell-style backslash escapes. */
export function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) {
    const inner = v.slice(1, -1);
    return v[0] === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
  }
  return v;
}

/** Parses `KEY=value` lines (os-release, shell-style config) into a map, unquoting values. */
export function parseEnvFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out.set(line.slice(0, eq).trim(), unquote(line.slice(eq + 1)));
  }
  return out;
}

/**
 * Parses RFC 822-style stanzas (dpkg status, deb822 sources, Python METADATA headers): `Key: value`
 * fields with indented continuation lines, stanzas separated by blank lines. Keys keep their case.
 */
export function parseStanzas(text: string): Map<string, string>[] {
  const stanzas: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let lastKey: string | null = null;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (current.size > 0) stanzas.push(current);
      current = new Map();
      lastKey = null;
      continue;
    }
    if (line.startsWith('#')) continue;
    if ((line.startsWith(' ') || line.startsWith('\t')) && lastKey !== null) {
      current.set(lastKey, `${current.get(lastKey) ?? ''}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    lastKey = line.slice(0, colon).trim();
    current.set(lastKey, line.slice(colon + 1).trim());
  }
  if (current.size > 0) stanzas.push(current);
  return stanzas;
}

/** One `[section]` of an INI-style file (yum .repo, systemd unit) with its keys in order. */
export interface IniSection {
  name: string;
  values: Map<string, string>;
}

/** Parses an INI-style file; keys before any section land in a section named "". Later keys win. */
export function parseIni(text: string): IniSection[] {
  const sections: IniSection[] = [];
  let current: IniSection = { name: '', values: new Map() };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      if (current.name !== '' || current.values.size > 0) sections.push(current);
      current = { name: (header[1] ?? '').trim(), values: new Map() };
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    current.values.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  if (current.name !== '' || current.values.size > 0) sections.push(current);
  return sections;
}

/** Decodes a /proc/net IPv4 address written as 8 hex digits in host (little-endian) order. */
export function hexToIpv4(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

/** Decodes a /proc/net IPv6 address written as 32 hex digits and compresses it as RFC 5952 does. */
export function hexToIpv6(hex: string): string {
  const groups: number[] = [];
  for (let i = 0; i < 32; i += 4) groups.push(Number.parseInt(hex.slice(i, i + 4), 16));
  return formatIpv6(groups);
}

/** Formats eight 16-bit groups as a compressed IPv6 address (longest run of 2+ zero groups becomes `::`). */
export function formatIpv6(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Turns an IPv4 prefix length into a dotted netmask (24 → 255.255.255.0). */
export function ipv4PrefixToMask(prefix: number): string {
  const bits = prefix <= 0 ? 0 : (0xffffffff << (32 - Math.min(prefix, 32))) >>> 0;
  return [bits >>> 24, (bits >>> 16) & 0xff, (bits >>> 8) & 0xff, bits & 0xff].join('.');
}

/** Turns an IPv6 prefix length into a mask written as an IPv6 address (64 → ffff:ffff:ffff:ffff::). */
export function ipv6PrefixToMask(prefix: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) {
    const bits = Math.max(0, Math.min(16, prefix - i * 16));
    groups.push(bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff);
  }
  return formatIpv6(groups);
}

/** Counts the leading one bits of a dotted IPv4 netmask (255.255.255.0 → 24). */
export function ipv4MaskToPrefix(mask: string): number {
  let count = 0;
  for (const part of mask.split('.')) {
    let n = Number(part);
    while (n & 0x80) {
      count++;
      n = (n << 1) & 0xff;
    }
  }
  return count;
}
