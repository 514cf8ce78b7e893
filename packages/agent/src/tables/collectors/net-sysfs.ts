import { readFileSync, realpathSync } from 'node:fs';
import { listDir, resolveIn } from '../fs-helpers.js';
import type { TableContext } from '../types.js';
import { hexToInt } from './parse-helpers.js';

/** IFF_* bits from <net/if.h> that the address table needs. */
export const IFF_BROADCAST = 0x2;
export const IFF_POINTOPOINT = 0x10;

/** Network interface names under /sys/class/net, sorted. */
export function listInterfaces(ctx: TableContext): string[] {
  return listDir(ctx, '/sys/class/net');
}

/**
 * Reads a /sys/class/net attribute quietly: several (speed, duplex) fail with EINVAL on an interface
 * that is down or virtual, which is "unknown", not a problem.
 */
export function readNetAttr(ctx: TableContext, iface: string, attr: string): string | null {
  try {
    return readFileSync(resolveIn(ctx.root, `/sys/class/net/${iface}/${attr}`), 'utf8').trim();
  } catch {
    return null;
  }
}

/** The interface's IFF_* flags; 0 when unknown. */
export function interfaceFlags(ctx: TableContext, iface: string): number {
  return hexToInt(readNetAttr(ctx, iface, 'flags')) ?? 0;
}

/** The PCI address the interface's device sits on (found by resolving its `device` link), or null. */
export function pciSlot(ctx: TableContext, iface: string): string | null {
  try {
    const real = realpathSync(resolveIn(ctx.root, `/sys/class/net/${iface}/device`));
    const slots = real
      .split('/')
      .filter((part) => /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i.test(part));
    return slots.at(-1) ?? null;
  } catch {
    return null;
  }
}
