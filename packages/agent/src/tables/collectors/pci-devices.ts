import { listDir, readLink } from '../fs-helpers.js';
import type { TableCollector } from '../types.js';
import { readTrimmed } from './parse-helpers.js';
import { loadPciNames } from './pci-ids.js';

const BASE = '/sys/bus/pci/devices';

/** A sysfs id such as "0x1af4" as osquery prints it: four upper-case hex digits, no prefix. */
function hexId(value: string | null): string | null {
  return value === null ? null : value.replace(/^0x/i, '').toUpperCase();
}

/** pci_devices: PCI functions from sysfs, named from pci.ids where that database is installed. */
export const pciDevices: TableCollector = {
  name: 'pci_devices',
  *collect(ctx) {
    const slots = listDir(ctx, BASE);
    if (slots.length === 0) {
      ctx.warn(`no PCI devices (${BASE} is absent or empty)`);
      return;
    }
    const names = loadPciNames(ctx);
    if (names === null) ctx.warn('pci.ids is not installed: vendor, model and class names are empty');
    for (const slot of slots) {
      const attr = (name: string) => readTrimmed(ctx, `${BASE}/${slot}/${name}`);
      const classCode = (attr('class') ?? '').replace(/^0x/i, '').padStart(6, '0').toLowerCase();
      const classId = classCode.slice(0, 2);
      const subclassId = classCode.slice(2, 4);
      const vendorId = hexId(attr('vendor'));
      const modelId = hexId(attr('device'));
      const subVendorId = hexId(attr('subsystem_vendor'));
      const subModelId = hexId(attr('subsystem_device'));
      const v = (vendorId ?? '').toLowerCase();
      const d = (modelId ?? '').toLowerCase();
      const sv = (subVendorId ?? '').toLowerCase();
      const sd = (subModelId ?? '').toLowerCase();
      const driver = readLink(ctx, `${BASE}/${slot}/driver`);
      yield {
        pci_slot: slot,
        pci_class: names?.classes.get(classId) ?? null,
        driver: driver === null ? null : (driver.split('/').pop() ?? null),
        vendor: names?.vendors.get(v) ?? null,
        vendor_id: vendorId,
        model: names?.devices.get(`${v}:${d}`) ?? null,
        model_id: modelId,
        pci_class_id: classId.toUpperCase(),
        pci_subclass_id: subclassId.toUpperCase(),
        pci_subclass: names?.subclasses.get(`${classId}:${subclassId}`) ?? null,
        subsystem_vendor_id: subVendorId,
        subsystem_vendor: names?.vendors.get(sv) ?? null,
        subsystem_model_id: subModelId,
        subsystem_model: names?.subsystems.get(`${v}:${d}:${sv}:${sd}`) ?? null,
      };
    }
  },
};
