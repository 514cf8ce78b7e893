import { listDir } from '../fs-helpers.js';
import type { TableCollector, TableContext } from '../types.js';
import { diskLinks, listBlockDevices } from './block-sysfs.js';
import { readTrimmed } from './parse-helpers.js';

/** The dm-crypt mapping type ("LUKS2", "PLAIN") when a device-mapper device is a crypt target, else null. */
function cryptType(ctx: TableContext, kernelName: string): string | null {
  const uuid = readTrimmed(ctx, `/sys/block/${kernelName}/dm/uuid`);
  if (uuid === null || !uuid.startsWith('CRYPT-')) return null;
  return uuid.split('-')[1] ?? 'CRYPT';
}

/** Follows `slaves` links down from a device: data on LVM-on-LUKS is encrypted by the crypt device below it. */
function encryptingLayer(ctx: TableContext, kernelName: string, seen = new Set<string>()): string | null {
  if (seen.has(kernelName)) return null;
  seen.add(kernelName);
  const own = cryptType(ctx, kernelName);
  if (own !== null) return own;
  for (const lower of listDir(ctx, `/sys/block/${kernelName}/slaves`)) {
    const found = encryptingLayer(ctx, lower, seen);
    if (found !== null) return found;
  }
  return null;
}

/** disk_encryption: whether each block device's contents are encrypted by dm-crypt (directly or below LVM). */
export const diskEncryption: TableCollector = {
  name: 'disk_encryption',
  *collect(ctx) {
    const devices = listBlockDevices(ctx);
    if (devices.length === 0) ctx.warn('no block devices under /sys/block');
    const uuids = diskLinks(ctx, 'uuid');
    for (const d of devices) {
      const type = d.parent === null ? encryptingLayer(ctx, d.kernelName) : null;
      yield {
        name: `/dev/${d.kernelName}`,
        uuid: uuids.get(d.kernelName) ?? null,
        encrypted: type === null ? 0 : 1,
        type: type ?? '',
        encryption_status: type === null ? 'not encrypted' : 'encrypted',
      };
    }
  },
};
