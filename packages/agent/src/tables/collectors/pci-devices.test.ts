import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pciDevices } from './pci-devices.js';
import { collectAt, collectFixture } from './test-collect.js';

describe('pci_devices', () => {
  it('reads ids from sysfs and names them from pci.ids', () => {
    const { rows, warnings } = collectFixture(pciDevices, 'pci_devices');
    expect(rows).toEqual([
      {
        pci_slot: '0000:00:00.0',
        pci_class: 'Bridge',
        driver: null,
        vendor: 'Intel Corporation',
        vendor_id: '8086',
        model: '440FX - 82441FX PMC [Natoma]',
        model_id: '1237',
        pci_class_id: '06',
        pci_subclass_id: '00',
        pci_subclass: 'Host bridge',
        subsystem_vendor_id: '1AF4',
        subsystem_vendor: 'Red Hat, Inc.',
        subsystem_model_id: '1100',
        subsystem_model: 'Qemu virtual machine',
      },
      {
        pci_slot: '0000:00:03.0',
        pci_class: 'Network controller',
        driver: 'virtio-pci',
        vendor: 'Red Hat, Inc.',
        vendor_id: '1AF4',
        model: 'Virtio network device',
        model_id: '1000',
        pci_class_id: '02',
        pci_subclass_id: '00',
        pci_subclass: 'Ethernet controller',
        subsystem_vendor_id: '1AF4',
        subsystem_vendor: 'Red Hat, Inc.',
        subsystem_model_id: '0001',
        subsystem_model: 'Virtio network device',
      },
    ]);
    expect(warnings).toEqual([]);
  });

  it.skipIf(!existsSync('/sys/bus/pci/devices'))(
    'lists every PCI function of this machine (needs /sys/bus/pci)',
    () => {
      const { rows } = collectAt(pciDevices, '/');
      expect(rows.map((r) => r.pci_slot)).toEqual(readdirSync('/sys/bus/pci/devices').sort());
      for (const row of rows) expect(row.vendor_id).toMatch(/^[0-9A-F]{4}$/);
    },
  );
});
