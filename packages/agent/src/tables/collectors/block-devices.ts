import { readText } from '../fs-helpers.js';
import type { TableCollector, TableContext } from '../types.js';
import { diskLinks, listBlockDevices } from './block-sysfs.js';
import { readTrimmed, toInt } from './parse-helpers.js';

/** The udev database entry (E:KEY=value lines) for a block device, keyed by its major:minor. */
function udevProperties(ctx: TableContext, sysPath: string): Map<string, string> {
  const props = new Map<string, string>();
  const dev = readTrimmed(ctx, `${sysPath}/dev`);
  if (dev === null) return props;
  for (const line of (readText(ctx, `/run/udev/data/b${dev}`) ?? '').split('\n')) {
    if (!line.startsWith('E:')) continue;
    const eq = line.indexOf('=');
    if (eq > 2) props.set(line.slice(2, eq), line.slice(eq + 1));
  }
  return props;
}

/** block_devices: disks and partitions from /sys/block, with filesystem identity from udev. */
export const blockDevices: TableCollector = {
  name: 'block_devices',
  *collect(ctx) {
    const devices = listBlockDevices(ctx);
    if (devices.length === 0) ctx.warn('no block devices under /sys/block');
    const uuids = diskLinks(ctx, 'uuid');
    const labels = diskLinks(ctx, 'label');
    for (const d of devices) {
      const udev = udevProperties(ctx, d.sysPath);
      const diskPath = d.parent === null ? d.sysPath : `/sys/block/${d.parent}`;
      const trimmedOrNull = (path: string) => {
        const v = readTrimmed(ctx, path);
        return v === null || v === '' ? null : v;
      };
      yield {
        name: `/dev/${d.kernelName}`,
        parent: d.parent === null ? '' : `/dev/${d.parent}`,
        vendor: trimmedOrNull(`${diskPath}/device/vendor`) ?? udev.get('ID_VENDOR') ?? null,
        model: trimmedOrNull(`${diskPath}/device/model`) ?? udev.get('ID_MODEL') ?? null,
        serial:
          trimmedOrNull(`${diskPath}/device/serial`) ??
          trimmedOrNull(`${diskPath}/serial`) ??
          udev.get('ID_SERIAL_SHORT') ??
          null,
        size: toInt(readTrimmed(ctx, `${d.sysPath}/size`)),
        block_size: toInt(readTrimmed(ctx, `${diskPath}/queue/logical_block_size`)),
        uuid: udev.get('ID_FS_UUID') ?? udev.get('ID_PART_TABLE_UUID') ?? uuids.get(d.kernelName) ?? null,
        type: udev.get('ID_FS_TYPE') ?? udev.get('ID_PART_TABLE_TYPE') ?? null,
        label: udev.get('ID_FS_LABEL') ?? labels.get(d.kernelName) ?? null,
      };
    }
  },
};
