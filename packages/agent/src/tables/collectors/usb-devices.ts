import { listDir } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { readTrimmed, toInt } from './parse-helpers.js';

const BASE = '/sys/bus/usb/devices';

/** usb_devices: USB devices (root hubs included) from /sys/bus/usb/devices; interfaces (1-1:1.0) are skipped. */
export const usbDevices: TableCollector = {
  name: 'usb_devices',
  *collect(ctx) {
    const entries = listDir(ctx, BASE).filter((e) => !e.includes(':'));
    if (entries.length === 0) ctx.warn(`no USB devices (${BASE} is absent or empty)`);
    for (const entry of entries) {
      const attr = (name: string) => readTrimmed(ctx, `${BASE}/${entry}/${name}`);
      const vendorId = attr('idVendor');
      if (vendorId === null) continue;
      const removable = attr('removable');
      yield {
        usb_address: toInt(attr('busnum')),
        usb_port: toInt(attr('devnum')),
        vendor: attr('manufacturer') ?? vendorId,
        vendor_id: vendorId,
        version: attr('bcdDevice'),
        model: attr('product') ?? attr('idProduct'),
        model_id: attr('idProduct'),
        serial: attr('serial'),
        class: attr('bDeviceClass'),
        subclass: attr('bDeviceSubClass'),
        protocol: attr('bDeviceProtocol'),
        removable: removable === 'removable' ? 1 : removable === 'fixed' ? 0 : -1,
      };
    }
  },
};
