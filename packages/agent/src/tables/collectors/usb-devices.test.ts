import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectAt, collectFixture } from './test-collect.js';
import { usbDevices } from './usb-devices.js';

describe('usb_devices', () => {
  it('reads devices and root hubs, not interfaces', () => {
    const { rows } = collectFixture(usbDevices, 'usb_devices');
    expect(rows).toEqual([
      {
        usb_address: 1,
        usb_port: 4,
        vendor: 'SanDisk',
        vendor_id: '0781',
        version: '0100',
        model: 'Ultra',
        model_id: '5581',
        serial: '4C530001',
        class: '00',
        subclass: '00',
        protocol: '00',
        removable: 1,
      },
      {
        usb_address: 1,
        usb_port: 1,
        vendor: 'Linux 6.1.0 xhci-hcd',
        vendor_id: '1d6b',
        version: '0601',
        model: 'xHCI Host Controller',
        model_id: '0002',
        serial: '0000:00:14.0',
        class: '09',
        subclass: '00',
        protocol: '01',
        removable: -1,
      },
    ]);
  });

  it.skipIf(existsSync('/sys/bus/usb/devices'))('is empty with a warning on this machine without USB', () => {
    const { rows, warnings } = collectAt(usbDevices, '/');
    expect(rows).toEqual([]);
    expect(warnings[0]).toMatch(/no USB devices/);
  });

  it.skipIf(!existsSync('/sys/bus/usb/devices'))(
    'reads 4-digit hex ids on this machine (needs /sys/bus/usb)',
    () => {
      for (const row of collectAt(usbDevices, '/').rows) expect(row.vendor_id).toMatch(/^[0-9a-f]{4}$/);
    },
  );
});
