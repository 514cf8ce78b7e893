import { existsIn, listDir, readLink } from '../fs-helpers.js';
import type { TableContext } from '../types.js';

/** One block device as sysfs shows it: a whole disk or one of its partitions. */
export interface SysBlockDevice {
  /** Kernel name (vda, vda1, dm-0). */
  kernelName: string;
  /** Its /sys directory. */
  sysPath: string;
  /** The disk a partition belongs to; null for a whole disk. */
  parent: string | null;
}

/** Lists /sys/block disks and the partitions inside them (a partition directory has a `partition` file). */
export function listBlockDevices(ctx: TableContext): SysBlockDevice[] {
  const out: SysBlockDevice[] = [];
  for (const disk of listDir(ctx, '/sys/block')) {
    const sysPath = `/sys/block/${disk}`;
    out.push({ kernelName: disk, sysPath, parent: null });
    for (const child of listDir(ctx, sysPath)) {
      if (child.startsWith(disk) && existsIn(ctx, `${sysPath}/${child}/partition`)) {
        out.push({ kernelName: child, sysPath: `${sysPath}/${child}`, parent: disk });
      }
    }
  }
  return out;
}

/** Kernel device name → its /dev/disk/by-<kind> link name (by-uuid, by-label), for hosts without a udev database. */
export function diskLinks(ctx: TableContext, kind: 'uuid' | 'label'): Map<string, string> {
  const out = new Map<string, string>();
  for (const link of listDir(ctx, `/dev/disk/by-${kind}`)) {
    const target = readLink(ctx, `/dev/disk/by-${kind}/${link}`);
    // udev escapes spaces and slashes in label links as \x20, \x2f.
    const name = link.replace(/\\x([0-9a-f]{2})/gi, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    if (target !== null) out.set(target.split('/').pop() as string, name);
  }
  return out;
}
