import { readText } from '../fs-helpers.js';
import type { TableContext } from '../types.js';

/** Names from the pci.ids database, keyed by lower-case hex ids. */
export interface PciNames {
  vendors: Map<string, string>;
  /** "vendor:device" → name. */
  devices: Map<string, string>;
  /** "vendor:device:subvendor:subdevice" → name. */
  subsystems: Map<string, string>;
  classes: Map<string, string>;
  /** "class:subclass" → name. */
  subclasses: Map<string, string>;
}

const LOCATIONS = ['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids', '/usr/share/pci.ids'];

/** Parses pci.ids (vendor, indented device and subsystem lines, then "C" class blocks). */
export function parsePciIds(text: string): PciNames {
  const names: PciNames = {
    vendors: new Map(),
    devices: new Map(),
    subsystems: new Map(),
    classes: new Map(),
    subclasses: new Map(),
  };
  let vendor = '';
  let device = '';
  let cls: string | null = null;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    let m = /^C ([0-9a-f]{2})\s+(.*)$/i.exec(line);
    if (m) {
      cls = (m[1] ?? '').toLowerCase();
      names.classes.set(cls, m[2] ?? '');
      continue;
    }
    if (cls !== null) {
      m = /^\t([0-9a-f]{2})\s+(.*)$/i.exec(line);
      if (m) names.subclasses.set(`${cls}:${(m[1] ?? '').toLowerCase()}`, m[2] ?? '');
      continue;
    }
    const vendorLine = /^([0-9a-f]{4})\s+(.*)$/i.exec(line);
    const deviceLine = /^\t([0-9a-f]{4})\s+(.*)$/i.exec(line);
    const subsystemLine = /^\t\t([0-9a-f]{4}) ([0-9a-f]{4})\s+(.*)$/i.exec(line);
    if (vendorLine) {
      vendor = (vendorLine[1] ?? '').toLowerCase();
      names.vendors.set(vendor, vendorLine[2] ?? '');
    } else if (deviceLine) {
      device = (deviceLine[1] ?? '').toLowerCase();
      names.devices.set(`${vendor}:${device}`, deviceLine[2] ?? '');
    } else if (subsystemLine) {
      const [, subVendor = '', subDevice = '', name = ''] = subsystemLine;
      names.subsystems.set(`${vendor}:${device}:${subVendor.toLowerCase()}:${subDevice.toLowerCase()}`, name);
    }
  }
  return names;
}

/** Loads the first pci.ids found on the host; null (and no names) where the database is not installed. */
export function loadPciNames(ctx: TableContext): PciNames | null {
  for (const path of LOCATIONS) {
    const text = readText(ctx, path);
    if (text !== null) return parsePciIds(text);
  }
  return null;
}
